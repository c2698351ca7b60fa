package tfharness

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gruntwork-io/terratest/modules/logger"
	"github.com/gruntwork-io/terratest/modules/terraform"
)

// PlanOptions are Terratest options for planning dir with the harness's provider setup,
// mock credentials and the given variables.
func (e *Env) PlanOptions(dir string, vars map[string]any) *terraform.Options {
	return &terraform.Options{
		TerraformBinary: e.Terraform,
		TerraformDir:    dir,
		Vars:            vars,
		EnvVars:         e.Vars(),
		NoColor:         true,
		// Terraform's full output would drown the assertions; a failed command's error
		// carries its output.
		Logger:       logger.Discard,
		PlanFilePath: filepath.Join(dir, "ctap-test.tfplan"),
	}
}

// Plan wraps Terratest's parsed plan with lookups that return errors instead of failing,
// so that a test can also prove an assertion fails on a broken plan.
type Plan struct {
	*terraform.PlanStruct
}

// Values returns a resource's (or data source's) planned attribute values.
func (p Plan) Values(addr string) (map[string]any, error) {
	r, ok := p.ResourcePlannedValuesMap[addr]
	if !ok {
		return nil, fmt.Errorf("%s is not in the plan (planned: %s)", addr, strings.Join(p.Addresses(""), ", "))
	}
	return r.AttributeValues, nil
}

// Unknown reports whether the value at path (attribute names and list indexes) is
// unknown until apply.
func (p Plan) Unknown(addr string, path ...any) (bool, error) {
	rc, ok := p.ResourceChangesMap[addr]
	if !ok || rc.Change == nil {
		return false, fmt.Errorf("%s has no planned change", addr)
	}
	cur := rc.Change.AfterUnknown
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return false, nil
			}
			cur = m[s]
		case int:
			l, ok := cur.([]any)
			if !ok || s >= len(l) {
				return false, nil
			}
			cur = l[s]
		}
	}
	b, _ := cur.(bool)
	return b, nil
}

// Addresses lists the planned managed resources of a type ("" for every one), sorted.
func (p Plan) Addresses(typ string) []string {
	var out []string
	for addr, r := range p.ResourcePlannedValuesMap {
		if r.Mode != "managed" || (typ != "" && r.Type != typ) {
			continue
		}
		out = append(out, addr)
	}
	sort.Strings(out)
	return out
}

// Get walks planned values by attribute names and list indexes.
func Get(v any, path ...any) any {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[s]
		case int:
			l, ok := v.([]any)
			if !ok || s >= len(l) {
				return nil
			}
			v = l[s]
		}
	}
	return v
}

// Strings turns a planned list/set of strings (or one string) into a sorted []string.
func Strings(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Statement is one IAM policy statement, normalised: every list is sorted.
type Statement struct {
	Sid, Effect                    string
	Actions, NotActions, Resources []string
	Principals                     map[string][]string // "*" for Principal "*"
	Conditions                     map[string]map[string][]string
}

// Policy is a parsed IAM policy document.
type Policy struct {
	Statements []Statement
}

// ParsePolicy parses policy JSON as IAM accepts it (strings or lists everywhere).
func ParsePolicy(doc string) (*Policy, error) {
	var raw struct {
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy is not JSON: %w", err)
	}
	p := &Policy{}
	for _, s := range raw.Statement {
		st := Statement{Principals: map[string][]string{}, Conditions: map[string]map[string][]string{}}
		st.Sid, _ = s["Sid"].(string)
		st.Effect, _ = s["Effect"].(string)
		st.Actions = Strings(s["Action"])
		st.NotActions = Strings(s["NotAction"])
		st.Resources = Strings(s["Resource"])
		switch pr := s["Principal"].(type) {
		case string:
			st.Principals["*"] = []string{pr}
		case map[string]any:
			for k, v := range pr {
				st.Principals[k] = Strings(v)
			}
		}
		if c, ok := s["Condition"].(map[string]any); ok {
			for test, vars := range c {
				st.Conditions[test] = map[string][]string{}
				if vm, ok := vars.(map[string]any); ok {
					for k, v := range vm {
						st.Conditions[test][k] = Strings(v)
					}
				}
			}
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// Sid returns the statement with that Sid, or an error listing the Sids present.
func (p *Policy) Sid(sid string) (*Statement, error) {
	var have []string
	for i := range p.Statements {
		if p.Statements[i].Sid == sid {
			return &p.Statements[i], nil
		}
		have = append(have, p.Statements[i].Sid)
	}
	return nil, fmt.Errorf("no statement %q (statements: %s)", sid, strings.Join(have, ", "))
}
