package unit

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// violation is one broken rule at one place.
type staticViolation struct {
	pos     string // "terraform/storage.tf:42"
	rule    string // "bucket-tls-only"
	subject string // "aws_s3_bucket_policy.trail"
	msg     string
}

func (v staticViolation) String() string {
	return fmt.Sprintf("%s: [%s] %s: %s", v.pos, v.rule, v.subject, v.msg)
}

// staticCheck is one rule over the parsed tree. Each check reports only its own rule
// id, so that a fixture that breaks one rule can prove that exactly that check fails.
type staticCheck struct {
	rule string
	// why names the seed checklist item or DESIGN section the rule enforces.
	why string
	run func(t *hclcheck.Tree) []staticViolation
}

// reporter accumulates violations of one rule.
type staticReporter struct {
	rule string
	out  []staticViolation
}

func (r *staticReporter) at(pos, subject, format string, args ...any) {
	r.out = append(r.out, staticViolation{pos: pos, rule: r.rule, subject: subject, msg: fmt.Sprintf(format, args...)})
}

func (r *staticReporter) block(b *hclcheck.Block, format string, args ...any) {
	r.at(b.Pos(), b.Addr(), format, args...)
}

func (r *staticReporter) rng(rg hcl.Range, b *hclcheck.Block, format string, args ...any) {
	r.at(hclcheck.Pos(rg), b.Addr(), format, args...)
}

// allChecks is the registry of static rules, sorted by rule id.
func allChecks() []staticCheck {
	var cs []staticCheck
	for _, group := range [][]staticCheck{kmsChecks(), storageChecks(), trailChecks(), functionChecks(), dataChecks(), eventChecks(), namingChecks(), moduleChecks(), iamChecks(), contractChecks()} {
		cs = append(cs, group...)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].rule < cs[j].rule })
	return cs
}

// repoRoot is the repository root, found from this file's location so that tests
// work from any directory.
func staticRepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// attrPos is the position of an attribute expression, or of the block when it is
// absent.
func attrPos(b *hclcheck.Block, name string) string {
	if e := b.Attr(name); e != nil {
		return hclcheck.Pos(e.Range())
	}
	return b.Pos()
}

// platformResources returns every resource of a type in the root and submodules.
func platformResources(t *hclcheck.Tree, typ string) []*hclcheck.Block {
	var out []*hclcheck.Block
	for _, m := range t.Platform() {
		out = append(out, m.ResourcesOf(typ)...)
	}
	return out
}

// platformData returns every data source of a type in the root and submodules.
func platformData(t *hclcheck.Tree, typ string) []*hclcheck.Block {
	var out []*hclcheck.Block
	for _, m := range t.Platform() {
		out = append(out, m.DataOf(typ)...)
	}
	return out
}

// boundPolicy collects the statements of a policy attribute, following submodule
// variables to what their callers pass.
func boundPolicy(b *hclcheck.Block, attr string) hclcheck.Policy {
	var p hclcheck.Policy
	for _, bd := range b.Module.Through(b.Attr(attr)) {
		q := bd.M.PolicyOf(bd.E)
		p.Statements = append(p.Statements, q.Statements...)
		p.Unresolved = append(p.Unresolved, q.Unresolved...)
	}
	return p
}

// boundBool reports whether an attribute is the constant true, directly or through
// every caller's argument (or the variable default) when it is a submodule variable.
func boundBool(b *hclcheck.Block, e hclsyntax.Expression, want bool) bool {
	bds := b.Module.Through(e)
	if len(bds) == 0 {
		return false
	}
	for _, bd := range bds {
		v, ok := hclcheck.BoolLit(bd.M.Resolve(bd.E))
		if !ok || v != want {
			return false
		}
	}
	return true
}

// boundStringIs reports whether an attribute is a constant string equal to want
// (case-insensitive), directly or through every caller.
func boundStringIs(b *hclcheck.Block, e hclsyntax.Expression, want string) bool {
	bds := b.Module.Through(e)
	if len(bds) == 0 {
		return false
	}
	for _, bd := range bds {
		v, ok := hclcheck.StringLit(bd.M.Resolve(bd.E))
		if !ok || !strings.EqualFold(v, want) {
			return false
		}
	}
	return true
}

// isNull reports whether an expression is absent or the literal null.
func staticIsNull(e hclsyntax.Expression) bool {
	if e == nil {
		return true
	}
	l, ok := hclcheck.Unwrap(e).(*hclsyntax.LiteralValueExpr)
	return ok && l.Val.IsNull()
}

func staticAnyString(ss []string, f func(string) bool) bool {
	for _, s := range ss {
		if f(s) {
			return true
		}
	}
	return false
}
