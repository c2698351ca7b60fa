package detect

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
)

// This file holds the small, allocation-aware predicates that rules are built
// from. They never panic: requestParameters may be absent, null, a string,
// an array or an object, and every lookup degrades to "not found".

// BaseEventName strips API-version suffixes from an event name: Lambda's
// "UpdateFunctionCode20150331v2" and "CreateFunction20150331" become
// "UpdateFunctionCode" and "CreateFunction", CloudFront's
// "UpdateDistribution2020_05_31" becomes "UpdateDistribution". Other names
// are returned unchanged, without allocating.
func BaseEventName(name string) string {
	n := name
	// Optional "v<digits>" after the date (Lambda's ...20150331v2).
	if i := strings.LastIndexByte(n, 'v'); i > 0 && i < len(n)-1 && allDigits(n[i+1:]) {
		n = n[:i]
	}
	switch {
	case len(n) > 8 && isAPIDate(n[len(n)-8:]) && isLetter(n[len(n)-9]):
		return n[:len(n)-8]
	case len(n) > 10 && isDateUnderscore(n[len(n)-10:]) && isLetter(n[len(n)-11]):
		return n[:len(n)-10]
	}
	return name
}

// isAPIDate matches an eight-digit API version date such as "20150331".
func isAPIDate(s string) bool {
	return len(s) == 8 && allDigits(s) && (s[:2] == "19" || s[:2] == "20")
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// isDateUnderscore matches "2020_05_31".
func isDateUnderscore(s string) bool {
	return len(s) == 10 && s[4] == '_' && s[7] == '_' && (s[:2] == "19" || s[:2] == "20") &&
		allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// succeeded reports whether the call took effect. Change rules require it:
// a denied DeleteTrail changed nothing (4.1 and the AccessDenied burst rule
// report denials instead).
func succeeded(ev *cloudtrail.Event) bool { return ev.ErrorCode == "" }

// cisUnauthorized follows the CIS 4.1 metric filter: error codes
// "*UnauthorizedOperation" (EC2's Client.UnauthorizedOperation) and
// "AccessDenied*" (S3's AccessDenied, AccessDeniedException elsewhere).
func cisUnauthorized(ev *cloudtrail.Event) bool {
	c := ev.ErrorCode
	return c != "" && (strings.HasPrefix(c, "AccessDenied") || strings.HasSuffix(c, "UnauthorizedOperation"))
}

// isRoot follows the CIS 4.3 filter: root identity, not a service acting for
// root, not a service event.
func isRoot(ev *cloudtrail.Event) bool {
	return ev.UserIdentity.Type == "Root" && ev.UserIdentity.InvokedBy == "" && ev.EventType != "AwsServiceEvent"
}

// byService reports calls that an AWS service made itself (service-linked
// work, not a person or a workload's credentials).
func byService(ev *cloudtrail.Event) bool {
	u := ev.UserIdentity
	return u.Type == "AWSService" || strings.HasSuffix(u.InvokedBy, ".amazonaws.com") || ev.EventType == "AwsServiceEvent"
}

// iacRoleMarkers are substrings of role names used by deployment pipelines.
var iacRoleMarkers = []string{"terraform", "cloudformation", "pulumi", "atlantis", "spacelift", "env0", "deploy", "cicd", "pipeline", "github-actions", "gitlab"}

// byIaC reports whether a change was made by infrastructure-as-code
// automation, so that rules about "new IAM users/roles outside IaC" stay
// quiet for normal deployments. The heuristic, strongest signal first:
//
//  1. CloudFormation (and so CDK, SAM, StackSets, Control Tower) made the
//     call: userIdentity.invokedBy or sourceIPAddress is
//     "cloudformation.amazonaws.com". AWS sets these; a caller cannot.
//  2. A Terraform/OpenTofu/Pulumi user agent AND an assumed-role session
//     whose role name looks like a pipeline role (terraform, deploy, cicd,
//     github-actions...). The user agent alone is self-declared, so it is
//     not enough; an IAM user or root running Terraform by hand counts as
//     outside IaC.
//
// An attacker who already controls the pipeline role and fakes the user
// agent evades this; the role-trust and admin-policy rules still apply.
func byIaC(ev *cloudtrail.Event) bool {
	u := ev.UserIdentity
	if u.InvokedBy == "cloudformation.amazonaws.com" || ev.SourceIPAddress == "cloudformation.amazonaws.com" {
		return true
	}
	ua := strings.ToLower(ev.UserAgent)
	if strings.Contains(ua, "cloudformation.amazonaws.com") && u.InvokedBy != "" {
		return true
	}
	if !strings.Contains(ua, "terraform") && !strings.Contains(ua, "opentofu") && !strings.Contains(ua, "pulumi") {
		return false
	}
	if u.Type != "AssumedRole" || u.SessionContext == nil {
		return false
	}
	role := strings.ToLower(u.SessionContext.SessionIssuer.UserName)
	if role == "" {
		role = strings.ToLower(u.SessionContext.SessionIssuer.ARN)
	}
	for _, m := range iacRoleMarkers {
		if strings.Contains(role, m) {
			return true
		}
	}
	return false
}

// principalKey groups aggregate counts by caller.
func principalKey(ev *cloudtrail.Event) string {
	if a := ev.PrincipalARN(); a != "" {
		return a
	}
	if p := ev.UserIdentity.PrincipalID; p != "" {
		return p
	}
	if k := ev.UserIdentity.AccessKeyID; k != "" {
		return k
	}
	return "unknown"
}

// callerUserName is the IAM user name of the caller, "" for roles, root and
// services. ARN is preferred over userName because federated sessions put
// other things there.
func callerUserName(ev *cloudtrail.Event) string {
	u := ev.UserIdentity
	if u.Type != "IAMUser" {
		return ""
	}
	if i := strings.LastIndex(u.ARN, ":user/"); i >= 0 {
		name := u.ARN[i+len(":user/"):]
		if j := strings.LastIndexByte(name, '/'); j >= 0 { // user path
			name = name[j+1:]
		}
		return name
	}
	return u.UserName
}

// --- JSON lookups over requestParameters and friends -----------------------

// decode returns raw decoded as a generic JSON value, nil when absent or not
// JSON.
func decode(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

// params is the decoded requestParameters.
func params(ev *cloudtrail.Event) any { return decode(ev.RequestParameters) }

// get walks object keys; a key matches exactly, else case-insensitively,
// because services disagree on casing (userName vs UserName).
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		next, ok := m[k]
		if !ok {
			for mk, mv := range m {
				if strings.EqualFold(mk, k) {
					next, ok = mv, true
					break
				}
			}
		}
		if !ok {
			return nil
		}
		v = next
	}
	return v
}

// str renders a scalar as a string ("" for objects, arrays and null).
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// param is str(get(params, path...)).
func param(ev *cloudtrail.Event, path ...string) string { return str(get(params(ev), path...)) }

// isFalse accepts false and "false" (XML-derived parameters are strings).
func isFalse(v any) bool {
	switch t := v.(type) {
	case bool:
		return !t
	case string:
		return strings.EqualFold(strings.TrimSpace(t), "false")
	}
	return false
}

// isTrue accepts true and "true".
func isTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(strings.TrimSpace(t), "true")
	}
	return false
}

// number accepts 22 and "22".
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// items flattens the list shapes CloudTrail uses: a JSON array, EC2's
// {"items":[...]}, and XML-derived single objects that stand for a
// one-element list.
func items(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	case map[string]any:
		if inner, ok := t["items"]; ok && len(t) == 1 {
			return items(inner)
		}
		return []any{t}
	}
	return []any{v}
}

// strs is the string values of items(v).
func strs(v any) []string {
	var out []string
	for _, it := range items(v) {
		if s := str(it); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// walk visits every object key/value pair below v, depth first. Depth is
// bounded so that a hostile document cannot exhaust the stack.
func walk(v any, fn func(key string, val any)) { walkDepth(v, fn, 0) }

func walkDepth(v any, fn func(string, any), depth int) {
	if depth > 64 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			fn(k, val)
			walkDepth(val, fn, depth+1)
		}
	case []any:
		for _, val := range t {
			walkDepth(val, fn, depth+1)
		}
	}
}

// anyString reports whether some string value below v satisfies pred.
func anyString(v any, pred func(string) bool) bool {
	found := false
	var visit func(any, int)
	visit = func(x any, depth int) {
		if found || depth > 64 {
			return
		}
		switch t := x.(type) {
		case string:
			found = pred(t)
		case map[string]any:
			for _, val := range t {
				visit(val, depth+1)
			}
		case []any:
			for _, val := range t {
				visit(val, depth+1)
			}
		}
	}
	visit(v, 0)
	return found
}

// --- IAM / resource policy documents ---------------------------------------

// policyDoc accepts a policy as an object, a JSON string, or a URL-encoded
// JSON string (IAM sometimes logs it encoded).
func policyDoc(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return t
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
			if u, err := url.QueryUnescape(s); err == nil {
				s = u
			}
		}
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			return m
		}
	}
	return nil
}

// statements returns the policy's statements as objects.
func statements(doc map[string]any) []map[string]any {
	var out []map[string]any
	for _, s := range items(get(doc, "Statement")) {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func allows(stmt map[string]any) bool { return strings.EqualFold(str(get(stmt, "Effect")), "Allow") }

// hasCondition reports a non-empty Condition block.
func hasCondition(stmt map[string]any) bool {
	c, ok := get(stmt, "Condition").(map[string]any)
	return ok && len(c) > 0
}

// principalIsEveryone reports Principal "*" or {"AWS": "*"} (alone or in a
// list).
func principalIsEveryone(stmt map[string]any) bool {
	p := get(stmt, "Principal")
	if str(p) == "*" {
		return true
	}
	for _, k := range []string{"AWS", "CanonicalUser"} {
		for _, s := range strs(get(p, k)) {
			if s == "*" {
				return true
			}
		}
	}
	return false
}

// publicStatement is an unconditional Allow to everyone.
func publicStatement(stmt map[string]any) bool {
	return allows(stmt) && principalIsEveryone(stmt) && !hasCondition(stmt)
}

// adminStatement is Allow "*" (or "*:*", or "iam:*") on Resource "*".
func adminStatement(stmt map[string]any) bool {
	if !allows(stmt) {
		return false
	}
	action := false
	for _, a := range strs(get(stmt, "Action")) {
		if a == "*" || a == "*:*" || strings.EqualFold(a, "iam:*") {
			action = true
		}
	}
	if !action {
		return false
	}
	for _, r := range strs(get(stmt, "Resource")) {
		if r == "*" {
			return true
		}
	}
	return false
}

// anyStatement reports whether a statement of the policy found at path in
// requestParameters satisfies pred.
func anyStatement(ev *cloudtrail.Event, pred func(map[string]any) bool, path ...string) bool {
	doc := policyDoc(get(params(ev), path...))
	for _, s := range statements(doc) {
		if pred(s) {
			return true
		}
	}
	return false
}

// accountOf extracts the account from "123456789012" or an ARN
// ("arn:aws:iam::123456789012:root"); "" when there is none.
func accountOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 12 && allDigits(s) {
		return s
	}
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) >= 5 && len(parts[4]) == 12 && allDigits(parts[4]) {
			return parts[4]
		}
	}
	return ""
}

// external reports an account ID (or ARN) that is not the event's account.
func external(ev *cloudtrail.Event, accountOrARN string) bool {
	a := accountOf(accountOrARN)
	return a != "" && a != ev.AccountID()
}
