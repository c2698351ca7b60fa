package detect

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
)

// Catalogue returns every built-in rule, sorted by ID in natural order
// (cis-4.2 before cis-4.10). Each call returns a fresh slice that the caller
// may modify.
func Catalogue() []Rule {
	catalogueOnce.Do(func() {
		var all []Rule
		all = append(all, cisRules()...)
		all = append(all, evasionRules()...)
		all = append(all, persistenceRules()...)
		all = append(all, credentialRules()...)
		all = append(all, exfiltrationRules()...)
		all = append(all, resilienceRules()...)
		slices.SortFunc(all, func(a, b Rule) int { return CompareIDs(a.ID, b.ID) })
		catalogue = all
	})
	out := slices.Clone(catalogue)
	for i := range out {
		out[i].References = slices.Clone(out[i].References)
		out[i].EventNames = slices.Clone(out[i].EventNames)
	}
	return out
}

// CompareIDs orders rule IDs naturally: runs of digits compare as numbers,
// so "cis-4.2-..." sorts before "cis-4.10-...".
func CompareIDs(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digitRun(a), digitRun(b)
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

var (
	catalogueOnce sync.Once
	catalogue     []Rule
)

// tenMinutes is the aggregate window of the built-in rules: long enough to
// catch a scripted sweep, short enough to be one incident.
const tenMinutes = 10 * time.Minute

// Example identities. Accounts: 111122223333 is "ours" (generators rewrite
// it), 444455556666 is an outside account that no generator uses.
const (
	alice  = `{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE0001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE001","userName":"alice"}`
	root   = `{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEROOT0001"}`
	admin  = `{"type":"AssumedRole","principalId":"AROAEXAMPLEADMIN001:bob@example.com","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEADMIN001","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2026-01-15T09:00:00Z"},"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEADMIN001","arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123","accountId":"111122223333","userName":"AWSReservedSSO_Admin_0123"}}}`
	app    = `{"type":"AssumedRole","principalId":"AROAEXAMPLEAPP00001:i-0abc","arn":"arn:aws:sts::111122223333:assumed-role/app-server/i-0abc","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEAPP00001","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2026-01-15T09:00:00Z"},"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEAPP00001","arn":"arn:aws:iam::111122223333:role/app-server","accountId":"111122223333","userName":"app-server"}}}`
	tfRole = `{"type":"AssumedRole","principalId":"AROAEXAMPLETF000001:ci","arn":"arn:aws:sts::111122223333:assumed-role/terraform-deploy/ci","accountId":"111122223333","accessKeyId":"ASIAEXAMPLETF000001","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2026-01-15T09:00:00Z"},"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLETF000001","arn":"arn:aws:iam::111122223333:role/terraform-deploy","accountId":"111122223333","userName":"terraform-deploy"}}}`
	tfUA   = `"APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/6.2.0 aws-sdk-go-v2/1.36.0"`
)

// exampleBase is the part of every example record that rules do not care
// about; ev overlays the interesting fields on it.
var exampleBase = map[string]any{
	"eventVersion":       "1.09",
	"userIdentity":       json.RawMessage(alice),
	"eventTime":          "2026-01-15T10:02:03Z",
	"awsRegion":          "us-east-1",
	"sourceIPAddress":    "203.0.113.9",
	"userAgent":          "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
	"requestParameters":  nil,
	"responseElements":   nil,
	"requestID":          "3f1b6a52-0c3d-4f6e-9d55-2b1c7e8a9f01",
	"eventID":            "6c7d2b58-9a41-4c0f-8e3b-5d2a1f0e7b12",
	"readOnly":           false,
	"eventType":          "AwsApiCall",
	"managementEvent":    true,
	"recipientAccountId": "111122223333",
	"eventCategory":      "Management",
}

// ev builds a complete example record: the top-level fields of snippet
// replace those of exampleBase. An invalid snippet is returned as is, so
// that the catalogue test reports it instead of the program failing at init.
func ev(snippet string) string {
	var over map[string]json.RawMessage
	if err := json.Unmarshal([]byte(snippet), &over); err != nil {
		return snippet
	}
	rec := make(map[string]any, len(exampleBase)+len(over))
	for k, v := range exampleBase {
		rec[k] = v
	}
	for k, v := range over {
		rec[k] = v
	}
	out, err := json.Marshal(rec)
	if err != nil {
		return snippet
	}
	return string(out)
}
