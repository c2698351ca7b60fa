package unit

import (
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// moduleChecks are the module-hygiene rules of STYLE.md and DESIGN §5: typed and
// described inputs, described outputs, no provider blocks outside examples, policies
// as data rather than heredocs, and the version constraints.
func moduleChecks() []staticCheck {
	return []staticCheck{
		{rule: "variable-typed", why: "STYLE: typed inputs, no any", run: checkVariableTyped},
		{rule: "variable-described", why: "STYLE: every variable has a description", run: checkVariableDescribed},
		{rule: "variable-validation-names-variable", why: "issue 3 bad input: messages name the variable", run: checkValidationNamesVariable},
		{rule: "output-described", why: "STYLE: every output has a description", run: checkOutputDescribed},
		{rule: "no-provider-in-modules", why: "DESIGN §5: no provider blocks inside modules", run: checkNoProviderInModules},
		{rule: "no-heredoc-policy", why: "DESIGN §5/STYLE: policies as data, never heredoc JSON", run: checkNoHeredocPolicy},
		{rule: "terraform-versions", why: "DESIGN §5: terraform >= 1.9, aws ~> 6.0", run: checkVersions},
		{rule: "variable-validations", why: "issue 3 bad input: names, retention days, schedules, org ID, tiers", run: checkVariableValidations},
	}
}

func checkVariableTyped(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "variable-typed"}
	for _, m := range t.Modules() {
		for _, v := range m.Variables {
			typ := v.Attr("type")
			if typ == nil {
				r.block(v, "no type")
				continue
			}
			usesAny := false
			_ = hclsyntax.VisitAll(typ, func(n hclsyntax.Node) hcl.Diagnostics {
				if st, ok := n.(*hclsyntax.ScopeTraversalExpr); ok && st.Traversal.RootName() == "any" {
					usesAny = true
				}
				return nil
			})
			if usesAny {
				r.rng(typ.Range(), v, "type %q uses any; spell the type out with object({...}) and optional()", m.Src(typ))
			}
		}
	}
	return r.out
}

func checkVariableDescribed(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "variable-described"}
	for _, m := range t.Modules() {
		for _, v := range m.Variables {
			if d, ok := hclcheck.StringLit(v.Attr("description")); !ok || strings.TrimSpace(d) == "" {
				r.block(v, "no description")
			}
		}
	}
	return r.out
}

func checkValidationNamesVariable(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "variable-validation-names-variable"}
	for _, m := range t.Modules() {
		for _, v := range m.Variables {
			for _, val := range v.Nested("validation") {
				msg := hclcheck.AttrOf(val.Body, "error_message")
				if msg == nil {
					r.rng(val.DefRange(), v, "validation has no error_message")
					continue
				}
				if !strings.Contains(m.Src(msg), v.Name) {
					r.rng(msg.Range(), v, "error_message does not name the variable %q", v.Name)
				}
			}
		}
	}
	return r.out
}

func checkOutputDescribed(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "output-described"}
	for _, m := range t.Modules() {
		for _, o := range m.Outputs {
			if d, ok := hclcheck.StringLit(o.Attr("description")); !ok || strings.TrimSpace(d) == "" {
				r.block(o, "no description")
			}
		}
	}
	return r.out
}

func checkNoProviderInModules(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "no-provider-in-modules"}
	for _, m := range t.Platform() {
		for _, p := range m.Providers {
			r.block(p, "provider block in %s module %s; only examples configure providers", m.Kind, m.Dir)
		}
	}
	return r.out
}

func checkNoHeredocPolicy(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "no-heredoc-policy"}
	for _, m := range t.Modules() {
		for _, h := range m.Heredocs() {
			if strings.Contains(strings.ToLower(h.Attribute), "policy") || strings.Contains(h.Text, `"Statement"`) {
				r.at(hclcheck.Pos(h.Range), h.Attribute, "heredoc policy JSON; use an aws_iam_policy_document data source or jsonencode")
			}
		}
	}
	return r.out
}

func checkVersions(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "terraform-versions"}
	m := t.Root
	var version, aws hclsyntax.Expression
	var at *hclcheck.Block
	for _, s := range m.Settings {
		at = s
		if e := s.Attr("required_version"); e != nil {
			version = e
		}
		for _, rp := range s.Nested("required_providers") {
			if e := hclcheck.AttrOf(rp.Body, "aws"); e != nil {
				if o, ok := hclcheck.Unwrap(e).(*hclsyntax.ObjectConsExpr); ok {
					aws = m.ObjectField(o, "version")
				}
			}
		}
	}
	if at == nil {
		r.at(m.Dir, "terraform", "no terraform block with required_version and required_providers")
		return r.out
	}
	if v, _ := hclcheck.StringLit(version); !strings.Contains(v, ">= 1.9") {
		r.block(at, "required_version is %q, want \">= 1.9\"", v)
	}
	if v, _ := hclcheck.StringLit(aws); v != "~> 6.0" {
		r.block(at, "required_providers.aws version is %q, want \"~> 6.0\"", v)
	}
	return r.out
}

func validationConditions(v *hclcheck.Block) []string {
	var out []string
	for _, val := range v.Nested("validation") {
		if c := hclcheck.AttrOf(val.Body, "condition"); c != nil {
			out = append(out, v.Module.Src(c))
		}
	}
	return out
}

// checkVariableValidations enforces the "bad input" list: every input that
// would only fail at apply time is validated at plan time.
func checkVariableValidations(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "variable-validations"}
	has := func(v *hclcheck.Block, subs ...string) bool {
		for _, c := range validationConditions(v) {
			all := true
			for _, s := range subs {
				all = all && strings.Contains(c, s)
			}
			if all {
				return true
			}
		}
		return false
	}
	for _, m := range t.Platform() {
		for _, v := range m.Variables {
			switch {
			case strings.HasSuffix(v.Name, "retention_days") || strings.HasSuffix(v.Name, "retention_in_days"):
				if !has(v, "contains(", "3653") {
					r.block(v, "no validation against the retention values CloudWatch Logs accepts (contains([0, 1, 3, ... 3653], ...))")
				}
			case strings.Contains(v.Name, "schedule"):
				if !has(v, "regex(") {
					r.block(v, "no validation of the schedule expression syntax")
				}
			}
		}
	}
	root := t.Root
	if v := root.Variable("organization_id"); v != nil && !has(v, "var.is_organization_trail") {
		r.block(v, "no validation rejecting an organization_id for a non-organization trail")
	}
	if v := root.Variable("alert_subscriptions"); v != nil && !has(v, "tier", "contains(") {
		r.block(v, "no validation rejecting unknown tiers")
	}
	if np, env := root.Variable("name_prefix"), root.Variable("environment"); np != nil && env != nil {
		if !has(np, "length(var.name_prefix)", "length(var.environment)") && !has(env, "length(var.name_prefix)", "length(var.environment)") {
			r.block(env, "no validation bounding length(name_prefix) + length(environment): S3 bucket names overflow 63 characters")
		}
	}
	return r.out
}
