package unit

import (
	"regexp"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// namingChecks are the seed's "all resources use unique suffix pattern" item, the
// common tags of DESIGN §5 and the anti-patterns "hard-coded account IDs / regions"
// (plus partitions, DESIGN §5).
func namingChecks() []staticCheck {
	return []staticCheck{
		{rule: "name-suffix", why: "seed checklist: all resources use unique suffix pattern (DESIGN §3 names)", run: checkNameSuffix},
		{rule: "name-suffix-last", why: "DESIGN §3: names read <name_prefix>-<purpose>-<env_suffix>, the suffix last", run: checkNameSuffixLast},
		{rule: "tags", why: "DESIGN §5: every taggable resource gets local.common_tags", run: checkTags},
		{rule: "no-hardcoded-account", why: "seed anti-pattern 1: hard-coded account IDs", run: checkNoHardcodedAccount},
		{rule: "no-hardcoded-region", why: "seed anti-pattern 2: hard-coded regions", run: checkNoHardcodedRegion},
		{rule: "no-hardcoded-partition", why: "DESIGN §5: use data.aws_partition.current.partition", run: checkNoHardcodedPartition},
	}
}

// mustBeNamed lists the resource types whose names collide across deployments, with
// the arguments that may carry the name. A resource of one of these types that sets
// none of them gets a provider-generated name and breaks the naming contract.
var mustBeNamed = map[string][]string{
	"aws_s3_bucket":                   {"bucket", "bucket_prefix"},
	"aws_kms_alias":                   {"name", "name_prefix"},
	"aws_iam_role":                    {"name", "name_prefix"},
	"aws_iam_policy":                  {"name", "name_prefix"},
	"aws_lambda_function":             {"function_name"},
	"aws_dynamodb_table":              {"name"},
	"aws_sns_topic":                   {"name", "name_prefix"},
	"aws_sqs_queue":                   {"name", "name_prefix"},
	"aws_cloudwatch_event_rule":       {"name", "name_prefix"},
	"aws_cloudwatch_metric_alarm":     {"alarm_name"},
	"aws_cloudwatch_log_group":        {"name", "name_prefix"},
	"aws_cloudwatch_dashboard":        {"dashboard_name"},
	"aws_cloudtrail":                  {"name"},
	"aws_glue_catalog_database":       {"name"},
	"aws_glue_crawler":                {"name"},
	"aws_glue_security_configuration": {"name"},
	"aws_athena_workgroup":            {"name"},
	"aws_scheduler_schedule":          {"name", "name_prefix"},
	"aws_scheduler_schedule_group":    {"name", "name_prefix"},
}

// scopedNames are types whose names only need to be unique inside a parent that
// already carries the suffix (a table in the suffixed database, a metric filter on the
// suffixed log group, an inline policy of a suffixed role, ...), so a fixed name is
// correct and contracts may depend on it (ATHENA_TABLE = cloudtrail).
var scopedNames = map[string]string{
	"aws_glue_catalog_table":                 "unique within its database",
	"aws_athena_named_query":                 "unique within its workgroup; fetched by ID",
	"aws_cloudwatch_log_metric_filter":       "unique within its log group",
	"aws_cloudwatch_log_subscription_filter": "unique within its log group",
	"aws_iam_role_policy":                    "unique within its role",
	"aws_cloudwatch_event_target":            "unique within its rule",
	"aws_lambda_permission":                  "unique within its function policy",
	"aws_sns_topic_subscription":             "no name",
	"aws_lambda_event_source_mapping":        "no name",
	"aws_s3_bucket_notification":             "no name",
}

func suffixRoot(_ *hclcheck.Module, ref string) bool {
	return ref == "local.env_suffix" || strings.HasPrefix(ref, "random_string.")
}

// namedResources calls f for every resource whose name must carry the suffix, with the
// argument that names it (nil when it sets none of the listed ones).
func namedResources(t *hclcheck.Tree, f func(res *hclcheck.Block, name hclsyntax.Expression, used string, listed bool, attrs []string)) {
	for _, m := range t.Platform() {
		for _, res := range m.Resources {
			if _, ok := scopedNames[res.Type]; ok || strings.HasPrefix(res.Type, "random_") {
				continue
			}
			attrs, listed := mustBeNamed[res.Type]
			if !listed {
				attrs = []string{"name", "name_prefix"}
			}
			var name hclsyntax.Expression
			var used string
			for _, a := range attrs {
				if e := res.Attr(a); e != nil {
					name, used = e, a
					break
				}
			}
			f(res, name, used, listed, attrs)
		}
	}
}

func checkNameSuffixLast(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "name-suffix-last"}
	namedResources(t, func(res *hclcheck.Block, name hclsyntax.Expression, used string, _ bool, _ []string) {
		// name_prefix gets a provider-generated ending; name-suffix covers it.
		if name == nil || strings.HasSuffix(used, "_prefix") || !res.DerivesFromIn(name, suffixRoot) {
			return
		}
		if !res.EndsWith(name, suffixRoot) {
			r.rng(name.Range(), res, "%s = %s does not end with local.env_suffix (DESIGN §3: <name_prefix>-<purpose>-<env_suffix>)", used, res.Module.Src(name))
		}
	})
	return r.out
}

func checkNameSuffix(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "name-suffix"}
	for _, m := range t.Platform() {
		for _, res := range m.Resources {
			if _, ok := scopedNames[res.Type]; ok || strings.HasPrefix(res.Type, "random_") {
				continue
			}
			attrs, listed := mustBeNamed[res.Type]
			if !listed {
				attrs = []string{"name", "name_prefix"}
			}
			var name hclsyntax.Expression
			var used string
			for _, a := range attrs {
				if e := res.Attr(a); e != nil {
					name, used = e, a
					break
				}
			}
			if name == nil {
				if listed {
					r.block(res, "sets none of %s: the provider would invent a name without the suffix", strings.Join(attrs, ", "))
				}
				continue
			}
			if !res.DerivesFromIn(name, suffixRoot) {
				r.rng(name.Range(), res, "%s = %s does not derive from local.env_suffix (random_string suffix)", used, m.Src(name))
			}
		}
	}
	return r.out
}

func checkTags(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "tags"}
	for _, m := range t.Modules() {
		want := "local.common_tags"
		if m.Kind == hclcheck.KindSubmodule {
			want = "var.tags"
		}
		root := func(_ *hclcheck.Module, ref string) bool { return ref == want }
		for _, res := range m.Resources {
			taggable, known := hclcheck.Taggable(res.Type)
			if !known || !taggable {
				continue
			}
			tags := res.Attr("tags")
			if tags == nil {
				r.block(res, "taggable (provider schema has tags) but sets no tags; want %s", want)
				continue
			}
			if !res.DerivesFromIn(tags, root) {
				r.rng(tags.Range(), res, "tags = %s does not include %s", m.Src(tags), want)
			}
		}
		if m.Kind != hclcheck.KindRoot {
			continue
		}
		for _, c := range m.Calls {
			target := m.CallTarget(c)
			if target == nil || target.Variable("tags") == nil {
				continue
			}
			if tags := c.Attr("tags"); tags == nil || !c.DerivesFromIn(tags, root) {
				r.block(c, "module takes tags but is not passed %s", want)
			}
		}
	}
	return r.out
}

// exemptRanges are the parts of a module where literal text documents or validates
// values rather than configuring resources: descriptions, error messages and
// validation conditions (a validation regex that spells "arn:aws" is not a
// hard-coded partition). With variableBlocks, whole variable blocks are exempt too
// (examples may default their region).
func exemptRanges(m *hclcheck.Module, variableBlocks bool) []hcl.Range {
	var out []hcl.Range
	for _, f := range m.Files {
		_ = hclsyntax.VisitAll(f.Body, func(n hclsyntax.Node) hcl.Diagnostics {
			switch x := n.(type) {
			case *hclsyntax.Attribute:
				if x.Name == "description" || x.Name == "error_message" {
					out = append(out, x.SrcRange)
				}
			case *hclsyntax.Block:
				if x.Type == "validation" || (variableBlocks && x.Type == "variable") {
					out = append(out, x.Range())
				}
			}
			return nil
		})
	}
	return out
}

func inRanges(r hcl.Range, rs []hcl.Range) bool {
	for _, x := range rs {
		if x.Filename == r.Filename && x.Start.Byte <= r.Start.Byte && r.End.Byte <= x.End.Byte {
			return true
		}
	}
	return false
}

var (
	accountRE   = regexp.MustCompile(`(?:^|[^0-9])([0-9]{12})(?:[^0-9]|$)`)
	regionRE    = regexp.MustCompile(`\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[0-9]+\b`)
	partitionRE = regexp.MustCompile(`arn:aws(?:-cn|-us-gov|-iso[a-z-]*)?:`)
)

func literalCheck(t *hclcheck.Tree, rule string, re *regexp.Regexp, exemptExampleVars bool, what string) []staticViolation {
	r := &staticReporter{rule: rule}
	for _, m := range t.Modules() {
		exempt := exemptRanges(m, exemptExampleVars && m.Kind == hclcheck.KindExample)
		for _, l := range m.Literals() {
			if inRanges(l.Range, exempt) {
				continue
			}
			if m := re.FindStringSubmatch(l.Text); m != nil {
				hit := m[0]
				if len(m) > 1 {
					hit = m[1] // the pattern's own group, without its delimiters
				}
				r.at(hclcheck.Pos(l.Range), "literal", "%s %q in %q", what, hit, staticTruncate(l.Text, 80))
			}
		}
	}
	return r.out
}

func staticTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func checkNoHardcodedAccount(t *hclcheck.Tree) []staticViolation {
	return literalCheck(t, "no-hardcoded-account", accountRE, false, "hard-coded account ID (use local.account_id)")
}

func checkNoHardcodedRegion(t *hclcheck.Tree) []staticViolation {
	return literalCheck(t, "no-hardcoded-region", regionRE, true, "hard-coded region (use data.aws_region.current.region)")
}

func checkNoHardcodedPartition(t *hclcheck.Tree) []staticViolation {
	return literalCheck(t, "no-hardcoded-partition", partitionRE, false, "hard-coded partition (use data.aws_partition.current.partition)")
}
