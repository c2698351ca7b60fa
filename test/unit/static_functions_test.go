package unit

import (
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// functionChecks are the seed's Lambda lessons 3, 7 and 9 as changed by DESIGN §8: log
// group first and encrypted, Go on provided.al2023/arm64 with X-Ray, zips tracked by
// filebase64sha256 (never archive_file), dead-letter topics for async functions, and
// unique, scoped Lambda permissions.
func functionChecks() []staticCheck {
	return []staticCheck{
		{rule: "lambda-log-group-first", why: "seed lesson 3 / checklist: log groups exist before functions", run: checkLambdaLogGroupFirst},
		{rule: "log-group-encrypted", why: "seed lesson 3 / anti-pattern 5: KMS and retention on every log group", run: checkLogGroupEncrypted},
		{rule: "lambda-runtime", why: "DESIGN §3: provided.al2023, arm64, bootstrap, X-Ray active, JSON logs", run: checkLambdaRuntime},
		{rule: "lambda-package", why: "DESIGN §8: filename + filebase64sha256 instead of archive_file", run: checkLambdaPackage},
		{rule: "no-archive-file", why: "DESIGN §8: no archive_file on sources", run: checkNoArchiveFile},
		{rule: "lambda-dead-letter", why: "seed lesson 7 / DESIGN §8: SNS dead-letter targets for asynchronously invoked functions", run: checkLambdaDeadLetter},
		{rule: "lambda-permission-unique", why: "seed lesson 8 / issue 3: unique statement_id and a source_arn", run: checkLambdaPermissionUnique},
	}
}

// functionContexts yields each aws_lambda_function with every context it is
// instantiated in and the name of that instance ("module.function[\"x\"]" or
// "aws_lambda_function.y").
func functionContexts(t *hclcheck.Tree, f func(fn *hclcheck.Block, ctx hclcheck.Context, instance string)) {
	for _, fn := range platformResources(t, "aws_lambda_function") {
		for _, ctx := range fn.Module.Contexts() {
			instance := fn.Addr()
			if ctx.Call != nil {
				instance = ctx.Name(fn.Module)
			}
			f(fn, ctx, instance)
		}
	}
}

func ctxSubject(fn *hclcheck.Block, ctx hclcheck.Context) (string, string) {
	if ctx.Call != nil {
		return ctx.Call.Pos(), ctx.Name(fn.Module) + " (" + fn.Addr() + ")"
	}
	return fn.Pos(), fn.Addr()
}

func checkLambdaLogGroupFirst(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-log-group-first"}
	for _, fn := range platformResources(t, "aws_lambda_function") {
		var group *hclcheck.Block
		for _, ref := range hclcheck.Refs(fn.Attr("depends_on")) {
			parts := strings.Split(ref, ".")
			if len(parts) >= 2 && parts[0] == "aws_cloudwatch_log_group" {
				group = fn.Module.Resource(parts[0], parts[1])
			}
		}
		if group == nil {
			r.at(attrPos(fn, "depends_on"), fn.Addr(), "depends_on names no aws_cloudwatch_log_group of this module: Lambda would create an unencrypted group first")
			continue
		}
		if name := group.Attr("name"); name == nil || !strings.Contains(group.Module.Src(group.Module.Resolve(name)), "/aws/lambda/") {
			r.block(group, "log group of %s is not named /aws/lambda/<function name>", fn.Addr())
		}
		for _, lc := range fn.Nested("logging_config") {
			if lg := hclcheck.AttrOf(lc.Body, "log_group"); lg != nil && !hclcheck.RefersTo(lg, group.Addr()) {
				r.rng(lg.Range(), fn, "logging_config.log_group does not refer to %s", group.Addr())
			}
		}
	}
	return r.out
}

func checkLogGroupEncrypted(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "log-group-encrypted"}
	for _, g := range platformResources(t, "aws_cloudwatch_log_group") {
		for _, ctx := range g.Module.Contexts() {
			pos, subject := ctxSubject(g, ctx)
			if _, staticIsNull, ok := ctx.EvalString(g.Attr("kms_key_id"), nil); g.Attr("kms_key_id") == nil || (ok && staticIsNull) {
				r.at(pos, subject, "no kms_key_id: log groups are encrypted with the platform CMK")
			}
			if _, staticIsNull, ok := ctx.EvalString(g.Attr("retention_in_days"), nil); g.Attr("retention_in_days") == nil || (ok && staticIsNull) {
				r.at(pos, subject, "no retention_in_days")
			}
		}
	}
	return r.out
}

func checkLambdaRuntime(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-runtime"}
	functionContexts(t, func(fn *hclcheck.Block, ctx hclcheck.Context, _ string) {
		pos, subject := ctxSubject(fn, ctx)
		want := func(attr string, e hclsyntax.Expression, value string) {
			got, _, ok := ctx.EvalString(e, nil)
			if !ok || got != value {
				if !ok {
					got = "(unknown)"
					if e != nil {
						got = fn.Module.Src(e)
					}
				}
				r.at(pos, subject, "%s is %s, want %q", attr, got, value)
			}
		}
		want("runtime", fn.Attr("runtime"), "provided.al2023")
		want("handler", fn.Attr("handler"), "bootstrap")
		archOK := false
		if v, ok := ctx.Eval(fn.Attr("architectures"), nil); ok && !v.IsNull() && v.CanIterateElements() && v.LengthInt() == 1 {
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				archOK = !ev.IsNull() && ev.Type() == cty.String && ev.AsString() == "arm64"
			}
		}
		if !archOK {
			r.at(pos, subject, "architectures is not [\"arm64\"]")
		}
		tc := fn.Nested("tracing_config")
		if len(tc) == 0 {
			r.at(pos, subject, "no tracing_config (X-Ray Active)")
		}
		for _, b := range tc {
			want("tracing_config.mode", hclcheck.AttrOf(b.Body, "mode"), "Active")
		}
		lc := fn.Nested("logging_config")
		if len(lc) == 0 {
			r.at(pos, subject, "no logging_config with log_format = \"JSON\"")
		}
		for _, b := range lc {
			want("logging_config.log_format", hclcheck.AttrOf(b.Body, "log_format"), "JSON")
		}
	})
	return r.out
}

func checkLambdaPackage(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-package"}
	for _, fn := range platformResources(t, "aws_lambda_function") {
		if fn.Attr("filename") == nil {
			r.block(fn, "no filename: local zips from `make build` must be deployable")
		}
		h := fn.Attr("source_code_hash")
		if h == nil {
			r.block(fn, "no source_code_hash: code changes would not redeploy")
			continue
		}
		uses := false
		for _, bd := range fn.Module.Through(h) {
			for _, f := range hclcheck.Funcs(bd.M.Resolve(bd.E)) {
				uses = uses || f == "filebase64sha256"
			}
		}
		if !uses {
			r.rng(h.Range(), fn, "source_code_hash = %s does not use filebase64sha256 of the built zip", fn.Module.Src(h))
		}
	}
	return r.out
}

func checkNoArchiveFile(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "no-archive-file"}
	for _, m := range t.Modules() {
		for _, group := range [][]*hclcheck.Block{m.DataOf("archive_file"), m.ResourcesOf("archive_file")} {
			for _, b := range group {
				r.block(b, "archive_file zips sources at plan time; Go needs `make build` zips tracked with filebase64sha256 (DESIGN §8)")
			}
		}
	}
	return r.out
}

// asyncInvoked returns the function instances that EventBridge targets and CloudWatch
// Logs subscriptions invoke asynchronously, keyed by instance name.
func asyncInvoked(t *hclcheck.Tree) map[string]string {
	out := map[string]string{}
	for _, src := range []struct{ typ, attr string }{
		{"aws_cloudwatch_event_target", "arn"},
		{"aws_cloudwatch_log_subscription_filter", "destination_arn"},
	} {
		for _, b := range platformResources(t, src.typ) {
			keys, _ := b.Instances()
			for _, k := range keys {
				for _, ref := range b.InstanceRefs(b.Attr(src.attr), k) {
					out[instanceOf(ref)] = b.Addr()
				}
			}
		}
	}
	return out
}

// instanceOf trims an instance reference to the instance itself:
// `module.function["x"].function_arn` -> `module.function["x"]`,
// `aws_lambda_function.y.arn` -> `aws_lambda_function.y`.
func instanceOf(ref string) string {
	if i := strings.Index(ref, "]"); i > 0 {
		return ref[:i+1]
	}
	parts := strings.Split(ref, ".")
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return ref
}

func checkLambdaDeadLetter(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-dead-letter"}
	async := asyncInvoked(t)
	functionContexts(t, func(fn *hclcheck.Block, ctx hclcheck.Context, instance string) {
		by, ok := async[instance]
		if !ok {
			return
		}
		pos, subject := ctxSubject(fn, ctx)
		var targets []string
		for _, b := range fn.Body.Blocks {
			switch {
			case b.Type == "dead_letter_config":
				targets = append(targets, fn.Module.Src(hclcheck.AttrOf(b.Body, "target_arn")))
			case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == "dead_letter_config":
				v, ok := ctx.Eval(hclcheck.AttrOf(b.Body, "for_each"), nil)
				if !ok || v.IsNull() || !v.CanIterateElements() {
					continue
				}
				for it := v.ElementIterator(); it.Next(); {
					_, ev := it.Element()
					if !ev.IsNull() && ev.Type() == cty.String {
						targets = append(targets, ev.AsString())
					} else {
						targets = append(targets, "?")
					}
				}
			}
		}
		if len(targets) == 0 {
			r.at(pos, subject, "invoked asynchronously by %s but has no dead_letter_config", by)
			return
		}
		for _, tg := range targets {
			if !strings.Contains(tg, "aws_sns_topic") {
				r.at(pos, subject, "dead-letter target %s is not an SNS topic (DESIGN §8 keeps the seed's SNS dead-letter targets)", tg)
			}
		}
	})
	return r.out
}

func checkLambdaPermissionUnique(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-permission-unique"}
	for _, m := range t.Platform() {
		seen := map[string]string{}
		for _, p := range m.ResourcesOf("aws_lambda_permission") {
			if staticIsNull(p.Attr("source_arn")) {
				r.block(p, "no source_arn: any %s resource could invoke the function", m.Src(p.Attr("principal")))
			}
			sid := p.Attr("statement_id")
			if sid == nil {
				if p.Attr("statement_id_prefix") == nil {
					r.block(p, "no statement_id")
				}
				continue
			}
			keys, ok := p.Instances()
			if !ok {
				r.rng(sid.Range(), p, "cannot tell the for_each keys apart, so statement_id uniqueness is unproven")
				continue
			}
			for _, k := range keys {
				s, ok := p.EachString(sid, k)
				if !ok {
					r.rng(sid.Range(), p, "statement_id %s is not a constant per instance", m.Src(sid))
					continue
				}
				if prev, dup := seen[s]; dup {
					r.rng(sid.Range(), p, "statement_id %q already used by %s", s, prev)
					continue
				}
				seen[s] = p.Addr()
			}
		}
	}
	return r.out
}
