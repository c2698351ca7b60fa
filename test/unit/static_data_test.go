package unit

import (
	"sort"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// dataChecks are the seed's Glue, DynamoDB and Athena lessons 6, 6b and 12 and
// DESIGN §3/§8: underscore Glue names, only key attributes, the findings table keyed
// by finding_id, and kms_key_arn in the Athena workgroup.
func dataChecks() []staticCheck {
	return []staticCheck{
		{rule: "glue-underscores", why: "seed lesson 6 / checklist: Glue names use underscores", run: checkGlueUnderscores},
		{rule: "dynamodb-key-attributes", why: "seed lesson 6 / checklist: attributes for all keys and only keys", run: checkDynamoKeyAttributes},
		{rule: "dynamodb-findings-table", why: "DESIGN §3/§8: findings keyed by finding_id, GSIs, TTL, stream NEW_IMAGE", run: checkFindingsTable},
		{rule: "dynamodb-protection", why: "DESIGN §9 / seed anti-pattern 5: PITR and SSE with the CMK on every table", run: checkDynamoProtection},
		{rule: "athena-workgroup", why: "seed lesson 12 / anti-pattern 10: kms_key_arn, SSE_KMS, enforced, scan cutoff", run: checkAthenaWorkgroup},
	}
}

// glueSafe reports whether an expression can only produce names without hyphens:
// literal parts without "-", replace(x, "-", "_"), and locals/variables/resources
// whose value is glue-safe.
func glueSafe(m *hclcheck.Module, e hclsyntax.Expression, depth int) bool {
	if e == nil || depth > 16 {
		return false
	}
	switch x := hclcheck.Unwrap(e).(type) {
	case *hclsyntax.LiteralValueExpr:
		s, ok := hclcheck.StringLit(x)
		return ok && !strings.Contains(s, "-")
	case *hclsyntax.TemplateExpr:
		for _, p := range x.Parts {
			if !glueSafe(m, p, depth+1) {
				return false
			}
		}
		return true
	case *hclsyntax.FunctionCallExpr:
		switch x.Name {
		case "replace":
			if len(x.Args) == 3 {
				from, ok1 := hclcheck.StringLit(x.Args[1])
				to, ok2 := hclcheck.StringLit(x.Args[2])
				return ok1 && ok2 && from == "-" && !strings.Contains(to, "-")
			}
		case "lower", "upper", "trimspace":
			return len(x.Args) == 1 && glueSafe(m, x.Args[0], depth+1)
		}
		return false
	case *hclsyntax.ScopeTraversalExpr:
		ref := hclcheck.TraversalString(x.Traversal)
		parts := strings.Split(ref, ".")
		switch {
		case parts[0] == "local" && len(parts) >= 2:
			l := m.Local(parts[1])
			if len(parts) >= 3 {
				if o, ok := hclcheck.Unwrap(l).(*hclsyntax.ObjectConsExpr); ok {
					return glueSafe(m, m.ObjectField(o, parts[2]), depth+1)
				}
			}
			return glueSafe(m, l, depth+1)
		case parts[0] == "var" && m.Kind == hclcheck.KindSubmodule:
			bds := m.Through(x)
			if len(bds) == 0 {
				return false
			}
			for _, bd := range bds {
				if bd.E == hclsyntax.Expression(x) || !glueSafe(bd.M, bd.E, depth+1) {
					return false
				}
			}
			return true
		case len(parts) >= 3 && parts[0] == "aws_glue_catalog_database" && (parts[2] == "name" || parts[2] == "id"):
			if db := m.Resource(parts[0], parts[1]); db != nil {
				return glueSafe(m, db.Attr("name"), depth+1)
			}
		case len(parts) >= 3 && parts[0] == "aws_glue_catalog_table" && parts[2] == "name":
			if tb := m.Resource(parts[0], parts[1]); tb != nil {
				return glueSafe(m, tb.Attr("name"), depth+1)
			}
		}
	}
	return false
}

func checkGlueUnderscores(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "glue-underscores"}
	targets := map[string][]string{
		"aws_glue_catalog_database": {"name"},
		"aws_glue_catalog_table":    {"name", "database_name"},
		"aws_glue_crawler":          {"database_name"},
	}
	types := make([]string, 0, len(targets))
	for k := range targets {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, typ := range types {
		for _, b := range platformResources(t, typ) {
			for _, a := range targets[typ] {
				e := b.Attr(a)
				if e == nil {
					continue
				}
				if !glueSafe(b.Module, e, 0) {
					r.rng(e.Range(), b, "%s = %s may contain hyphens; use replace(..., \"-\", \"_\")", a, b.Module.Src(e))
				}
			}
		}
	}
	if len(platformResources(t, "aws_glue_catalog_database")) == 0 {
		r.at(t.Root.Dir, "aws_glue_catalog_database", "no Glue database")
	}
	return r.out
}

// tableKeys returns the key attribute names of a table (hash, range, GSI and LSI
// keys) with where each is used.
func tableKeys(tb *hclcheck.Block) map[string]string {
	keys := map[string]string{}
	add := func(e hclsyntax.Expression, where string) {
		if s, ok := hclcheck.StringLit(e); ok {
			keys[s] = where
		}
	}
	add(tb.Attr("hash_key"), "hash_key")
	add(tb.Attr("range_key"), "range_key")
	for _, typ := range []string{"global_secondary_index", "local_secondary_index"} {
		for _, ix := range tb.Nested(typ) {
			name, _ := hclcheck.StringLit(hclcheck.AttrOf(ix.Body, "name"))
			add(hclcheck.AttrOf(ix.Body, "hash_key"), typ+" "+name)
			add(hclcheck.AttrOf(ix.Body, "range_key"), typ+" "+name)
		}
	}
	return keys
}

func checkDynamoKeyAttributes(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "dynamodb-key-attributes"}
	for _, tb := range platformResources(t, "aws_dynamodb_table") {
		keys := tableKeys(tb)
		declared := map[string]bool{}
		for _, a := range tb.Nested("attribute") {
			name, ok := hclcheck.StringLit(hclcheck.AttrOf(a.Body, "name"))
			if !ok {
				r.rng(a.DefRange(), tb, "attribute name is not a constant")
				continue
			}
			declared[name] = true
			if _, isKey := keys[name]; !isKey {
				r.rng(a.DefRange(), tb, "attribute %q is not a table or index key: declare only key attributes", name)
			}
			if typ, _ := hclcheck.StringLit(hclcheck.AttrOf(a.Body, "type")); typ != "S" && typ != "N" && typ != "B" {
				r.rng(a.DefRange(), tb, "attribute %q has type %q, want S, N or B", name, typ)
			}
		}
		for k, where := range keys {
			if !declared[k] {
				r.block(tb, "key %q (%s) has no attribute block", k, where)
			}
		}
	}
	return r.out
}

func checkFindingsTable(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "dynamodb-findings-table"}
	var findings *hclcheck.Block
	for _, tb := range platformResources(t, "aws_dynamodb_table") {
		if tb.Name == "findings" || strings.Contains(tb.Module.Src(tb.Attr("name")), "findings") {
			findings = tb
		}
	}
	if findings == nil {
		r.at(t.Root.Dir, "aws_dynamodb_table", "no findings table")
		return r.out
	}
	tb := findings
	if h, _ := hclcheck.StringLit(tb.Attr("hash_key")); h != "finding_id" {
		r.at(attrPos(tb, "hash_key"), tb.Addr(), "hash_key is %q, want \"finding_id\" (DESIGN §8: a timestamp key collides and hot-spots)", h)
	}
	if tb.Attr("range_key") != nil {
		r.at(attrPos(tb, "range_key"), tb.Addr(), "findings table has a range_key; DESIGN §3 keys it by finding_id alone")
	}
	wantGSI := map[string][2]string{"by_account": {"account_id", "detected_at"}, "by_severity": {"severity", "detected_at"}}
	got := map[string][2]string{}
	for _, ix := range tb.Nested("global_secondary_index") {
		name, _ := hclcheck.StringLit(hclcheck.AttrOf(ix.Body, "name"))
		h, _ := hclcheck.StringLit(hclcheck.AttrOf(ix.Body, "hash_key"))
		rk, _ := hclcheck.StringLit(hclcheck.AttrOf(ix.Body, "range_key"))
		got[name] = [2]string{h, rk}
	}
	for _, name := range []string{"by_account", "by_severity"} {
		if g, ok := got[name]; !ok {
			r.block(tb, "no GSI %s", name)
		} else if g != wantGSI[name] {
			r.block(tb, "GSI %s is keyed (%s, %s), want (%s, %s)", name, g[0], g[1], wantGSI[name][0], wantGSI[name][1])
		}
	}
	ttlOK := false
	for _, ttl := range tb.Nested("ttl") {
		a, _ := hclcheck.StringLit(hclcheck.AttrOf(ttl.Body, "attribute_name"))
		en, _ := hclcheck.BoolLit(hclcheck.AttrOf(ttl.Body, "enabled"))
		ttlOK = a == "expires_at" && en
	}
	if !ttlOK {
		r.block(tb, "no ttl { attribute_name = \"expires_at\", enabled = true }")
	}
	if st, _ := hclcheck.BoolLit(tb.Attr("stream_enabled")); !st {
		r.block(tb, "stream_enabled is not true (alert-router reads the stream)")
	}
	if v, _ := hclcheck.StringLit(tb.Attr("stream_view_type")); v != "NEW_IMAGE" {
		r.block(tb, "stream_view_type is %q, want NEW_IMAGE", v)
	}
	if v, _ := hclcheck.StringLit(tb.Attr("billing_mode")); v != "PAY_PER_REQUEST" {
		r.block(tb, "billing_mode is %q, want PAY_PER_REQUEST (on-demand)", v)
	}
	return r.out
}

func checkDynamoProtection(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "dynamodb-protection"}
	for _, tb := range platformResources(t, "aws_dynamodb_table") {
		pitr := false
		for _, p := range tb.Nested("point_in_time_recovery") {
			pitr, _ = hclcheck.BoolLit(hclcheck.AttrOf(p.Body, "enabled"))
		}
		if !pitr {
			r.block(tb, "point_in_time_recovery is not enabled")
		}
		sse := false
		for _, s := range tb.Nested("server_side_encryption") {
			en, _ := hclcheck.BoolLit(hclcheck.AttrOf(s.Body, "enabled"))
			sse = en && !staticIsNull(hclcheck.AttrOf(s.Body, "kms_key_arn"))
		}
		if !sse {
			r.block(tb, "no server_side_encryption { enabled = true, kms_key_arn = <platform CMK> }")
		}
	}
	return r.out
}

func checkAthenaWorkgroup(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "athena-workgroup"}
	wgs := platformResources(t, "aws_athena_workgroup")
	if len(wgs) == 0 {
		r.at(t.Root.Dir, "aws_athena_workgroup", "no Athena workgroup")
	}
	for _, wg := range wgs {
		cfgs := wg.Nested("configuration")
		if len(cfgs) == 0 {
			r.block(wg, "no configuration block")
			continue
		}
		for _, cfg := range cfgs {
			if v, _ := hclcheck.BoolLit(hclcheck.AttrOf(cfg.Body, "enforce_workgroup_configuration")); !v {
				r.rng(cfg.DefRange(), wg, "enforce_workgroup_configuration is not true")
			}
			if v, _ := hclcheck.BoolLit(hclcheck.AttrOf(cfg.Body, "publish_cloudwatch_metrics_enabled")); !v {
				r.rng(cfg.DefRange(), wg, "publish_cloudwatch_metrics_enabled is not true")
			}
			if staticIsNull(hclcheck.AttrOf(cfg.Body, "bytes_scanned_cutoff_per_query")) {
				r.rng(cfg.DefRange(), wg, "no bytes_scanned_cutoff_per_query (cost control)")
			}
			encs := hclcheck.Path(cfg.Body, "result_configuration", "encryption_configuration")
			if len(encs) == 0 {
				r.rng(cfg.DefRange(), wg, "no result_configuration.encryption_configuration")
			}
			for _, enc := range encs {
				if k := hclcheck.AttrOf(enc.Body, "kms_key"); k != nil {
					r.rng(k.Range(), wg, "encryption_configuration sets kms_key; the argument is kms_key_arn (seed lesson 12)")
				}
				if v, _ := hclcheck.StringLit(hclcheck.AttrOf(enc.Body, "encryption_option")); v != "SSE_KMS" {
					r.rng(enc.DefRange(), wg, "encryption_option is %q, want SSE_KMS", v)
				}
				if staticIsNull(hclcheck.AttrOf(enc.Body, "kms_key_arn")) {
					r.rng(enc.DefRange(), wg, "no kms_key_arn in encryption_configuration")
				}
			}
		}
	}
	return r.out
}
