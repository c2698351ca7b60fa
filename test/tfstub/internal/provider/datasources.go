package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctap-platform/ctap/test/tfstub/policydoc"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Fixed identities the stand-in answers with. They are documented in the README so that
// tests can assert on them.
const (
	// TestAccountID is what aws_caller_identity returns.
	TestAccountID = "123456789012"
	// TestMemberAccountID is the one member account aws_organizations_organization lists.
	TestMemberAccountID = "210987654321"
	// TestOrganizationID is what aws_organizations_organization returns.
	TestOrganizationID = "o-ctapstub00"
	// TestRootID is the organization's root.
	TestRootID = "r-ctap"
)

// regionNames are the regions the stand-in knows; like the real provider, aws_region
// rejects anything else.
var regionNames = map[string]string{
	"af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
	"ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)", "ap-south-1": "Asia Pacific (Mumbai)",
	"ap-south-2": "Asia Pacific (Hyderabad)", "ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)", "ap-southeast-3": "Asia Pacific (Jakarta)",
	"ap-southeast-4": "Asia Pacific (Melbourne)", "ca-central-1": "Canada (Central)",
	"ca-west-1": "Canada West (Calgary)", "eu-central-1": "Europe (Frankfurt)",
	"eu-central-2": "Europe (Zurich)", "eu-north-1": "Europe (Stockholm)",
	"eu-south-1": "Europe (Milan)", "eu-south-2": "Europe (Spain)", "eu-west-1": "Europe (Ireland)",
	"eu-west-2": "Europe (London)", "eu-west-3": "Europe (Paris)", "il-central-1": "Israel (Tel Aviv)",
	"me-central-1": "Middle East (UAE)", "me-south-1": "Middle East (Bahrain)",
	"sa-east-1": "South America (Sao Paulo)", "us-east-1": "US East (N. Virginia)",
	"us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
	"cn-north-1": "China (Beijing)", "cn-northwest-1": "China (Ningxia)",
	"us-gov-east-1": "AWS GovCloud (US-East)", "us-gov-west-1": "AWS GovCloud (US-West)",
}

type partitionInfo struct{ name, dnsSuffix, reverseDNS string }

func partitionOf(region string) partitionInfo {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitionInfo{"aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"}
	case strings.HasPrefix(region, "us-gov-"):
		return partitionInfo{"aws-us-gov", "amazonaws.com", "com.amazonaws"}
	}
	return partitionInfo{"aws", "amazonaws.com", "com.amazonaws"}
}

// ReadDataSource answers the data sources our modules read, without any network. Any
// other data source gets its computed attributes as zero values and a warning naming it,
// so that a plan never silently relies on invented data.
func (s *Server) ReadDataSource(_ context.Context, req *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	resp := &tfprotov5.ReadDataSourceResponse{}
	ps, err := s.typeSchema(true, req.TypeName)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: read data source", err.Error())
		return resp, nil
	}
	typ := ps.ValueType()
	cfg, err := req.Config.Unmarshal(typ)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: decode data source "+req.TypeName, err.Error())
		return resp, nil
	}
	g, _ := toGo(cfg).(map[string]any)
	if g == nil {
		g = map[string]any{}
	}
	s.mu.Lock()
	region := s.region
	s.mu.Unlock()
	var values map[string]any
	var diags []*tfprotov5.Diagnostic
	switch req.TypeName {
	case "aws_partition":
		p := partitionOf(region)
		values = map[string]any{"partition": p.name, "dns_suffix": p.dnsSuffix, "reverse_dns_prefix": p.reverseDNS, "id": p.name}
	case "aws_region":
		r := region
		if v, _ := g["region"].(string); v != "" {
			r = v
		} else if v, _ := g["name"].(string); v != "" {
			r = v
		}
		desc, ok := regionNames[r]
		if !ok {
			resp.Diagnostics = errDiag("invalid AWS Region: "+r, "ctap tfstub knows the commercial, China and GovCloud regions listed in test/tfstub/README.md.")
			return resp, nil
		}
		p := partitionOf(r)
		values = map[string]any{"region": r, "name": r, "id": r, "description": desc, "endpoint": "ec2." + r + "." + p.dnsSuffix}
	case "aws_caller_identity":
		p := partitionOf(region)
		values = map[string]any{
			"account_id": TestAccountID, "id": TestAccountID, "user_id": "AIDACTAPSTUB000000000",
			"arn": fmt.Sprintf("arn:%s:iam::%s:user/ctap-tfstub", p.name, TestAccountID),
		}
	case "aws_organizations_organization":
		values = organization(partitionOf(region).name)
	case "aws_iam_policy_document":
		values, err = policyValues(g)
		if err != nil {
			resp.Diagnostics = errDiag("aws_iam_policy_document", err.Error())
			return resp, nil
		}
	default:
		diags = append(diags, &tfprotov5.Diagnostic{
			Severity: tfprotov5.DiagnosticSeverityWarning,
			Summary:  "ctap tfstub does not simulate data source " + req.TypeName,
			Detail:   "Its computed attributes are zero values (empty strings, 0, false, empty collections). Do not assert on them; simulate the data source in test/tfstub if a test needs it.",
		})
	}
	out, err := dataResult(ps.Block, cfg, values)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: build result of "+req.TypeName, err.Error())
		return resp, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, out)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: encode result of "+req.TypeName, err.Error())
		return resp, nil
	}
	resp.State = &dv
	resp.Diagnostics = diags
	return resp, nil
}

// dataResult keeps the configuration and fills every computed attribute it leaves null,
// from values or with a zero value.
func dataResult(b *tfprotov5.SchemaBlock, cfg tftypes.Value, values map[string]any) (tftypes.Value, error) {
	var attrs map[string]tftypes.Value
	if err := cfg.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	for _, a := range b.Attributes {
		v := attrs[a.Name]
		want, has := values[a.Name]
		if !v.IsNull() && !(has && a.Computed && !a.Optional && !a.Required) {
			continue
		}
		if !a.Computed && !has {
			continue
		}
		nv, err := fromGo(v.Type(), want, true)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("%s: %w", a.Name, err)
		}
		attrs[a.Name] = nv
	}
	return tftypes.NewValue(cfg.Type(), attrs), nil
}

func organization(partition string) map[string]any {
	orgARN := fmt.Sprintf("arn:%s:organizations::%s:organization/%s", partition, TestAccountID, TestOrganizationID)
	account := func(id, name, email string) map[string]any {
		return map[string]any{
			"arn":    fmt.Sprintf("arn:%s:organizations::%s:account/%s/%s", partition, TestAccountID, TestOrganizationID, id),
			"email":  email,
			"id":     id,
			"name":   name,
			"status": "ACTIVE",
		}
	}
	mgmt := account(TestAccountID, "ctap-management", "management@example.com")
	member := account(TestMemberAccountID, "ctap-member", "member@example.com")
	return map[string]any{
		"id":                            TestOrganizationID,
		"arn":                           orgARN,
		"feature_set":                   "ALL",
		"master_account_id":             TestAccountID,
		"master_account_arn":            mgmt["arn"],
		"master_account_email":          mgmt["email"],
		"master_account_name":           mgmt["name"],
		"aws_service_access_principals": []any{"cloudtrail.amazonaws.com"},
		"enabled_policy_types":          []any{"SERVICE_CONTROL_POLICY"},
		"accounts":                      []any{mgmt, member},
		"non_master_accounts":           []any{member},
		"roots": []any{map[string]any{
			"arn":          fmt.Sprintf("arn:%s:organizations::%s:root/%s/%s", partition, TestAccountID, TestOrganizationID, TestRootID),
			"id":           TestRootID,
			"name":         "Root",
			"policy_types": []any{map[string]any{"status": "ENABLED", "type": "SERVICE_CONTROL_POLICY"}},
		}},
	}
}

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

func principalsOf(v any) []policydoc.Principal {
	var out []policydoc.Principal
	for _, e := range asList(v) {
		m, _ := e.(map[string]any)
		out = append(out, policydoc.Principal{Type: str(m["type"]), Identifiers: strs(m["identifiers"])})
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

// policyValues renders aws_iam_policy_document from its configuration.
func policyValues(g map[string]any) (map[string]any, error) {
	if str(g["source_json"]) != "" || str(g["override_json"]) != "" {
		return nil, fmt.Errorf("source_json and override_json are deprecated; the stand-in supports source_policy_documents and override_policy_documents")
	}
	in := policydoc.Input{
		Version:                 str(g["version"]),
		PolicyID:                str(g["policy_id"]),
		SourcePolicyDocuments:   strs(g["source_policy_documents"]),
		OverridePolicyDocuments: strs(g["override_policy_documents"]),
	}
	for _, e := range asList(g["statement"]) {
		m, _ := e.(map[string]any)
		st := policydoc.Statement{
			Sid:           str(m["sid"]),
			Effect:        str(m["effect"]),
			Actions:       strs(m["actions"]),
			NotActions:    strs(m["not_actions"]),
			Resources:     strs(m["resources"]),
			NotResources:  strs(m["not_resources"]),
			Principals:    principalsOf(m["principals"]),
			NotPrincipals: principalsOf(m["not_principals"]),
		}
		for _, c := range asList(m["condition"]) {
			cm, _ := c.(map[string]any)
			st.Conditions = append(st.Conditions, policydoc.Condition{Test: str(cm["test"]), Variable: str(cm["variable"]), Values: strs(cm["values"])})
		}
		in.Statements = append(in.Statements, st)
	}
	out, err := policydoc.Render(in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"json": out.JSON, "minified_json": out.MinifiedJSON, "id": out.ID}, nil
}
