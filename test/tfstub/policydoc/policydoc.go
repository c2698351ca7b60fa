// Package policydoc renders IAM policy JSON the way hashicorp/aws's
// aws_iam_policy_document data source does, so that plans made with the ctap stand-in
// carry the same policy text the real provider would produce.
//
// The rules reproduced (from the provider's documentation and observable output):
//   - statement keys in the order Sid, Effect, Action, NotAction, Resource, NotResource,
//     Principal, NotPrincipal, Condition; empty ones are left out;
//   - a list of one string becomes that string; longer lists are sorted in reverse;
//   - principals of the same type merge into one key; a single principal block of type
//     "*" with identifiers ["*"] renders as "Principal": "*";
//   - conditions merge into {test: {variable: values}}, one value collapsing to a string;
//   - source_policy_documents are merged first (their Sids must be unique), then this
//     document's statements replace any with the same Sid, then each
//     override_policy_documents entry replaces by Sid; statements without a Sid append;
//   - "&{" becomes "${" in version 2012-10-17 documents (policy variables);
//   - json is indented with two spaces, minified_json is compact, and id is the CRC-32
//     hash code of json.
package policydoc

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"sort"
	"strconv"
	"strings"
)

// DefaultVersion is the policy language version used when none is set.
const DefaultVersion = "2012-10-17"

// Principal is one principals / not_principals block.
type Principal struct {
	Type        string
	Identifiers []string
}

// Condition is one condition block.
type Condition struct {
	Test     string
	Variable string
	Values   []string
}

// Statement is one statement block. Nil slices mean "not set".
type Statement struct {
	Sid           string
	Effect        string
	Actions       []string
	NotActions    []string
	Resources     []string
	NotResources  []string
	Principals    []Principal
	NotPrincipals []Principal
	Conditions    []Condition
}

// Input is the data source's configuration.
type Input struct {
	Version                 string
	PolicyID                string
	Statements              []Statement
	SourcePolicyDocuments   []string
	OverridePolicyDocuments []string
}

// Output is what the data source exports.
type Output struct {
	JSON         string
	MinifiedJSON string
	ID           string
}

type doc struct {
	Version    string  `json:",omitempty"`
	ID         string  `json:"Id,omitempty"`
	Statements []*stmt `json:"Statement,omitempty"`
}

type stmt struct {
	Sid          string        `json:",omitempty"`
	Effect       string        `json:",omitempty"`
	Action       any           `json:",omitempty"`
	NotAction    any           `json:",omitempty"`
	Resource     any           `json:",omitempty"`
	NotResource  any           `json:",omitempty"`
	Principal    *principalSet `json:",omitempty"`
	NotPrincipal *principalSet `json:",omitempty"`
	Condition    *conditionSet `json:",omitempty"`
}

type principalEntry struct {
	typ string
	ids any // string or []string
}

type principalSet struct{ entries []principalEntry }

func (ps *principalSet) MarshalJSON() ([]byte, error) {
	if len(ps.entries) == 1 && ps.entries[0].typ == "*" {
		switch v := ps.entries[0].ids.(type) {
		case string:
			if v == "*" {
				return []byte(`"*"`), nil
			}
		case []string:
			if len(v) == 1 && v[0] == "*" {
				return []byte(`"*"`), nil
			}
		}
	}
	raw := map[string]any{}
	for _, p := range ps.entries {
		switch ids := p.ids.(type) {
		case []string:
			sorted := append([]string(nil), ids...)
			sort.Sort(sort.Reverse(sort.StringSlice(sorted)))
			switch have := raw[p.typ].(type) {
			case nil:
				raw[p.typ] = sorted
			case string:
				raw[p.typ] = append([]string{have}, sorted...)
			case []string:
				raw[p.typ] = append(have, sorted...)
			}
		case string:
			switch have := raw[p.typ].(type) {
			case nil:
				raw[p.typ] = ids
			case string:
				raw[p.typ] = []string{have, ids}
			case []string:
				raw[p.typ] = append(have, ids)
			}
		default:
			return nil, fmt.Errorf("principal %s: unsupported identifiers %T", p.typ, p.ids)
		}
	}
	return json.Marshal(raw)
}

func (ps *principalSet) UnmarshalJSON(b []byte) error {
	var data any
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	switch t := data.(type) {
	case string:
		ps.entries = []principalEntry{{typ: "*", ids: []string{"*"}}}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch v := t[k].(type) {
			case string:
				ps.entries = append(ps.entries, principalEntry{typ: k, ids: v})
			case []any:
				var ids []string
				for _, x := range v {
					s, ok := x.(string)
					if !ok {
						return fmt.Errorf("principal %s: identifier %v is not a string", k, x)
					}
					ids = append(ids, s)
				}
				sort.Strings(ids)
				ps.entries = append(ps.entries, principalEntry{typ: k, ids: ids})
			default:
				return fmt.Errorf("principal %s: unsupported identifiers %T", k, v)
			}
		}
	default:
		return fmt.Errorf("unsupported principal %T", data)
	}
	return nil
}

type conditionEntry struct {
	test, variable string
	values         []string
}

type conditionSet struct{ entries []conditionEntry }

func (cs *conditionSet) MarshalJSON() ([]byte, error) {
	raw := map[string]map[string][]string{}
	for _, c := range cs.entries {
		if raw[c.test] == nil {
			raw[c.test] = map[string][]string{}
		}
		// Order matters for values, so they are appended as given.
		raw[c.test][c.variable] = append(raw[c.test][c.variable], c.values...)
	}
	out := map[string]map[string]any{}
	for t, vars := range raw {
		out[t] = map[string]any{}
		for v, vals := range vars {
			if len(vals) == 1 {
				out[t][v] = vals[0]
			} else {
				out[t][v] = vals
			}
		}
	}
	return json.Marshal(out)
}

func (cs *conditionSet) UnmarshalJSON(b []byte) error {
	var data map[string]map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	tests := make([]string, 0, len(data))
	for t := range data {
		tests = append(tests, t)
	}
	sort.Strings(tests)
	for _, t := range tests {
		vars := make([]string, 0, len(data[t]))
		for v := range data[t] {
			vars = append(vars, v)
		}
		sort.Strings(vars)
		for _, v := range vars {
			switch x := data[t][v].(type) {
			case string:
				cs.entries = append(cs.entries, conditionEntry{t, v, []string{x}})
			case bool:
				cs.entries = append(cs.entries, conditionEntry{t, v, []string{strconv.FormatBool(x)}})
			case []any:
				var vals []string
				for _, e := range x {
					s, ok := e.(string)
					if !ok {
						return fmt.Errorf("condition %s %s: value %v is not a string", t, v, e)
					}
					vals = append(vals, s)
				}
				cs.entries = append(cs.entries, conditionEntry{t, v, vals})
			default:
				return fmt.Errorf("condition %s %s: unsupported value %T", t, v, x)
			}
		}
	}
	return nil
}

// decodeList collapses one string to itself and sorts longer lists in reverse.
func decodeList(l []string) any {
	if len(l) == 1 {
		return l[0]
	}
	out := append([]string(nil), l...)
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

func replaceVars(l []string, version string) []string {
	if version != DefaultVersion {
		return l
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ReplaceAll(s, "&{", "${")
	}
	return out
}

func (d *doc) merge(n *doc) {
	if n.ID != "" {
		d.ID = n.ID
	}
	if n.Version > d.Version {
		d.Version = n.Version
	}
	for _, ns := range n.Statements {
		if ns.Sid == "" {
			d.Statements = append(d.Statements, ns)
			continue
		}
		replaced := false
		for i, es := range d.Statements {
			if es.Sid == ns.Sid {
				d.Statements[i] = ns
				replaced = true
				break
			}
		}
		if !replaced {
			d.Statements = append(d.Statements, ns)
		}
	}
}

// Render builds the policy document. Errors name the offending document or statement.
func Render(in Input) (Output, error) {
	merged := &doc{}
	sids := map[string]bool{}
	for i, src := range in.SourcePolicyDocuments {
		d := &doc{}
		if err := json.Unmarshal([]byte(src), d); err != nil {
			return Output{}, fmt.Errorf("source_policy_documents[%d]: not a policy document: %w", i, err)
		}
		for j, st := range d.Statements {
			if st.Sid == "" {
				continue
			}
			if sids[st.Sid] {
				return Output{}, fmt.Errorf("duplicate Sid (%s) in source_policy_documents (item %d; statement %d); remove the Sid or ensure Sids are unique", st.Sid, i, j)
			}
			sids[st.Sid] = true
		}
		merged.merge(d)
	}
	version := in.Version
	if version == "" {
		version = DefaultVersion
	}
	cur := &doc{Version: version, ID: in.PolicyID}
	seen := map[string]bool{}
	for i, s := range in.Statements {
		if s.Sid != "" {
			if seen[s.Sid] {
				return Output{}, fmt.Errorf("statement[%d]: duplicate Sid (%s); Sids must be unique within a document", i, s.Sid)
			}
			seen[s.Sid] = true
		}
		effect := s.Effect
		if effect == "" {
			effect = "Allow"
		}
		st := &stmt{Sid: s.Sid, Effect: effect}
		if len(s.Actions) > 0 {
			st.Action = decodeList(replaceVars(s.Actions, version))
		}
		if len(s.NotActions) > 0 {
			st.NotAction = decodeList(replaceVars(s.NotActions, version))
		}
		if len(s.Resources) > 0 {
			st.Resource = decodeList(replaceVars(s.Resources, version))
		}
		if len(s.NotResources) > 0 {
			st.NotResource = decodeList(replaceVars(s.NotResources, version))
		}
		st.Principal = principals(s.Principals, version)
		st.NotPrincipal = principals(s.NotPrincipals, version)
		if len(s.Conditions) > 0 {
			cs := &conditionSet{}
			for _, c := range s.Conditions {
				vals := replaceVars(c.Values, version)
				if v, ok := decodeList(vals).(string); ok {
					vals = []string{v}
				} else {
					vals = decodeList(vals).([]string)
				}
				cs.entries = append(cs.entries, conditionEntry{c.Test, c.Variable, vals})
			}
			st.Condition = cs
		}
		cur.Statements = append(cur.Statements, st)
	}
	merged.merge(cur)
	for i, o := range in.OverridePolicyDocuments {
		d := &doc{}
		if err := json.Unmarshal([]byte(o), d); err != nil {
			return Output{}, fmt.Errorf("override_policy_documents[%d]: not a policy document: %w", i, err)
		}
		merged.merge(d)
	}
	pretty, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return Output{}, err
	}
	mini, err := json.Marshal(merged)
	if err != nil {
		return Output{}, err
	}
	return Output{JSON: string(pretty), MinifiedJSON: string(mini), ID: strconv.FormatInt(hashcode(string(pretty)), 10)}, nil
}

func principals(ps []Principal, version string) *principalSet {
	if len(ps) == 0 {
		return nil
	}
	set := &principalSet{}
	for _, p := range ps {
		ids := replaceVars(p.Identifiers, version)
		var v any
		if len(ids) == 1 {
			v = ids[0]
		} else {
			v = decodeList(ids)
		}
		set.entries = append(set.entries, principalEntry{typ: p.Type, ids: v})
	}
	return set
}

// hashcode is the provider's string hash: the CRC-32 of the string as a non-negative
// int (always non-negative on the 64-bit platforms Terraform ships for).
func hashcode(s string) int64 {
	return int64(crc32.ChecksumIEEE([]byte(s)))
}
