package policydoc

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// normalise parses policy JSON for a structural comparison. The provider's documentation
// predates `omitempty` on Sid and shows "Sid": "", so empty Sids are dropped on both sides.
func normalise(t *testing.T, s string) any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	if st, ok := v["Statement"].([]any); ok {
		for _, e := range st {
			if m, ok := e.(map[string]any); ok && m["Sid"] == "" {
				delete(m, "Sid")
			}
		}
	}
	return v
}

func mustRender(t *testing.T, in Input) Output {
	t.Helper()
	out, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRenderMatchesTheProviderDocumentation(t *testing.T) {
	sourceDoc := mustRender(t, Input{Statements: []Statement{
		{Actions: []string{"ec2:*"}, Resources: []string{"*"}},
		{Sid: "SidToOverride", Actions: []string{"s3:*"}, Resources: []string{"*"}},
	}}).JSON
	overrideDoc := mustRender(t, Input{Statements: []Statement{
		{Sid: "SidToOverride", Actions: []string{"s3:*"}, Resources: []string{"*"}},
	}}).JSON
	placeholderSource := mustRender(t, Input{Statements: []Statement{{Sid: "OverridePlaceholder", Actions: []string{"ec2:DescribeAccountAttributes"}, Resources: []string{"*"}}}}).JSON
	placeholderOverride := mustRender(t, Input{Statements: []Statement{{Sid: "OverridePlaceholder", Actions: []string{"s3:GetObject"}, Resources: []string{"*"}}}}).JSON
	sourceOne := mustRender(t, Input{Statements: []Statement{
		{Actions: []string{"ec2:*"}, Resources: []string{"*"}},
		{Sid: "UniqueSidOne", Actions: []string{"s3:*"}, Resources: []string{"*"}},
	}}).JSON
	sourceTwo := mustRender(t, Input{Statements: []Statement{
		{Sid: "UniqueSidTwo", Actions: []string{"iam:*"}, Resources: []string{"*"}},
		{Actions: []string{"lambda:*"}, Resources: []string{"*"}},
	}}).JSON

	cases := []struct {
		name string
		in   Input
		want string
	}{
		{
			name: "conditions on two variables of one test merge under the test",
			in: Input{Statements: []Statement{{
				Actions:   []string{"kms:GenerateDataKey", "kms:Decrypt"},
				Resources: []string{"*"},
				Conditions: []Condition{
					{Test: "ForAnyValue:StringEquals", Variable: "kms:EncryptionContext:service", Values: []string{"pi"}},
					{Test: "ForAnyValue:StringEquals", Variable: "kms:EncryptionContext:aws:pi:service", Values: []string{"rds"}},
				},
			}}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
				"Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContext:aws:pi:service":"rds","kms:EncryptionContext:service":"pi"}}}]}`,
		},
		{
			name: "a source document's statement is replaced by the same Sid; lists sort in reverse",
			in: Input{SourcePolicyDocuments: []string{sourceDoc}, Statements: []Statement{
				{Sid: "SidToOverride", Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"}},
			}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
				{"Sid":"SidToOverride","Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::somebucket/*","arn:aws:s3:::somebucket"]}]}`,
		},
		{
			name: "an override document replaces this document's statement with the same Sid",
			in: Input{OverridePolicyDocuments: []string{overrideDoc}, Statements: []Statement{
				{Actions: []string{"ec2:*"}, Resources: []string{"*"}},
				{Sid: "SidToOverride", Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"}},
			}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
				{"Sid":"SidToOverride","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		},
		{
			name: "source and override together: override wins",
			in:   Input{SourcePolicyDocuments: []string{placeholderSource}, OverridePolicyDocuments: []string{placeholderOverride}},
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"OverridePlaceholder","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		},
		{
			name: "several source documents concatenate in order",
			in:   Input{SourcePolicyDocuments: []string{sourceOne, sourceTwo}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
				{"Sid":"UniqueSidOne","Effect":"Allow","Action":"s3:*","Resource":"*"},
				{"Sid":"UniqueSidTwo","Effect":"Allow","Action":"iam:*","Resource":"*"},
				{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`,
		},
		{
			name: "principals of several types, one collapsing to a string, several sorting in reverse",
			in: Input{Statements: []Statement{{
				Actions: []string{"sts:AssumeRole"},
				Principals: []Principal{
					{Type: "Service", Identifiers: []string{"firehose.amazonaws.com"}},
					{Type: "AWS", Identifiers: []string{"arn:aws:iam::123456789012:role/trusted"}},
					{Type: "Federated", Identifiers: []string{"arn:aws:iam::123456789012:saml-provider/p", "cognito-identity.amazonaws.com"}},
				},
			}}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{
				"Service":"firehose.amazonaws.com","AWS":"arn:aws:iam::123456789012:role/trusted",
				"Federated":["cognito-identity.amazonaws.com","arn:aws:iam::123456789012:saml-provider/p"]}}]}`,
		},
		{
			name: "type * with identifier * renders Principal \"*\"; AWS * stays an object",
			in: Input{Statements: []Statement{
				{Sid: "Anyone", Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"*"}, Principals: []Principal{{Type: "*", Identifiers: []string{"*"}}}},
				{Sid: "AnyAWS", Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"*"}, Principals: []Principal{{Type: "AWS", Identifiers: []string{"*"}}}},
			}},
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"Anyone","Effect":"Deny","Action":"s3:*","Resource":"*","Principal":"*"},
				{"Sid":"AnyAWS","Effect":"Deny","Action":"s3:*","Resource":"*","Principal":{"AWS":"*"}}]}`,
		},
		{
			name: "two conditions on one variable append their values; multiple values sort in reverse",
			in: Input{Statements: []Statement{{
				Actions: []string{"s3:PutObject"}, Resources: []string{"*"},
				Conditions: []Condition{
					{Test: "ArnLike", Variable: "aws:SourceArn", Values: []string{"arn:aws:s3:::a", "arn:aws:s3:::b"}},
					{Test: "StringEquals", Variable: "aws:SourceAccount", Values: []string{"123456789012"}},
				},
			}}},
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
				"Condition":{"ArnLike":{"aws:SourceArn":["arn:aws:s3:::b","arn:aws:s3:::a"]},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`,
		},
		{
			name: "not_* elements, policy id and &{} policy variables",
			in: Input{PolicyID: "pid", Statements: []Statement{{
				NotActions: []string{"iam:*"}, NotResources: []string{"arn:aws:s3:::home/&{aws:username}/*"},
				NotPrincipals: []Principal{{Type: "AWS", Identifiers: []string{"arn:aws:iam::123456789012:root"}}},
			}}},
			want: `{"Version":"2012-10-17","Id":"pid","Statement":[{"Effect":"Allow","NotAction":"iam:*",
				"NotResource":"arn:aws:s3:::home/${aws:username}/*","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"}}]}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRender(t, tc.in)
			if got, want := normalise(t, out.JSON), normalise(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("policy differs\n got: %s\nwant: %s", out.MinifiedJSON, strings.Join(strings.Fields(tc.want), ""))
			}
			if normalise(t, out.MinifiedJSON) == nil || strings.Contains(out.MinifiedJSON, "\n") {
				t.Errorf("minified_json is not compact: %q", out.MinifiedJSON)
			}
		})
	}
}

func TestRenderKeepsTheProviderKeyOrderAndIndentation(t *testing.T) {
	out := mustRender(t, Input{Statements: []Statement{{
		Sid: "S", Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"*"},
		Principals: []Principal{{Type: "*", Identifiers: []string{"*"}}},
		Conditions: []Condition{{Test: "Bool", Variable: "aws:SecureTransport", Values: []string{"false"}}},
	}}})
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "S",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "*",
      "Principal": "*",
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        }
      }
    }
  ]
}`
	if out.JSON != want {
		t.Errorf("json:\n%s\nwant:\n%s", out.JSON, want)
	}
	if out.MinifiedJSON != strings.Join(strings.Fields(want), "") {
		t.Errorf("minified_json: %s", out.MinifiedJSON)
	}
	if out.ID == "" || out.ID == "0" {
		t.Errorf("id %q is not a hash", out.ID)
	}
	if again := mustRender(t, Input{Statements: []Statement{{Sid: "S", Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"*"},
		Principals: []Principal{{Type: "*", Identifiers: []string{"*"}}},
		Conditions: []Condition{{Test: "Bool", Variable: "aws:SecureTransport", Values: []string{"false"}}}}}}); again.ID != out.ID {
		t.Errorf("id is not deterministic: %s vs %s", again.ID, out.ID)
	}
}

func TestRenderRejectsBadInputNamingIt(t *testing.T) {
	dup := mustRender(t, Input{Statements: []Statement{{Sid: "A", Actions: []string{"s3:*"}, Resources: []string{"*"}}}}).JSON
	cases := []struct {
		name string
		in   Input
		want string
	}{
		{"duplicate Sid across source documents", Input{SourcePolicyDocuments: []string{dup, dup}}, "duplicate Sid (A) in source_policy_documents (item 1; statement 0)"},
		{"duplicate Sid in the document", Input{Statements: []Statement{{Sid: "A"}, {Sid: "A"}}}, "statement[1]: duplicate Sid (A)"},
		{"source document that is not JSON", Input{SourcePolicyDocuments: []string{"{"}}, "source_policy_documents[0]: not a policy document"},
		{"override document that is not JSON", Input{OverridePolicyDocuments: []string{"[]"}}, "override_policy_documents[0]: not a policy document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
