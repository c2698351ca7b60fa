package tfharness

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// InitError is a failed `terraform init`; Download says it failed fetching a provider
// (real mode without network), which callers treat as "unavailable" rather than a bug.
type InitError struct {
	Dir      string
	Output   string
	Download bool
}

func (e *InitError) Error() string {
	return fmt.Sprintf("terraform init in %s failed:\n%s", e.Dir, e.Output)
}

// Init runs `terraform init -backend=false` in dir.
func (e *Env) Init(ctx context.Context, dir string) error {
	stdout, stderr, err := e.Run(ctx, dir, "init", "-backend=false", "-input=false", "-no-color")
	if err == nil {
		return nil
	}
	out := stdout + stderr
	download := strings.Contains(out, "Failed to query available provider packages") ||
		strings.Contains(out, "Failed to install provider") || strings.Contains(out, "could not connect to registry")
	return &InitError{Dir: dir, Output: out, Download: download}
}

// ValidateResult is `terraform validate -json`'s verdict.
type ValidateResult struct {
	Dir string
	Out tfjson.ValidateOutput
}

// Validate runs `terraform validate -json` in an initialised dir.
func (e *Env) Validate(ctx context.Context, dir string) (*ValidateResult, error) {
	stdout, stderr, err := e.Run(ctx, dir, "validate", "-json", "-no-color")
	var res ValidateResult
	res.Dir = dir
	if jerr := json.Unmarshal([]byte(stdout), &res.Out); jerr != nil {
		return nil, fmt.Errorf("terraform validate -json in %s: %v; unparseable output (%v):\n%s%s", dir, err, jerr, stdout, stderr)
	}
	return &res, nil
}

// Problems lists every error and warning, each with file, line and Terraform's own
// text; empty means valid with zero warnings. File names are shown under prefix (e.g.
// "terraform/modules/kms-key"), as Terraform reports them relative to the module.
func (r *ValidateResult) Problems(prefix string) []string {
	var out []string
	for _, d := range r.Out.Diagnostics {
		out = append(out, FormatDiagnostic(d, prefix))
	}
	if !r.Out.Valid && len(out) == 0 {
		out = append(out, "terraform validate reported the configuration invalid without diagnostics")
	}
	return out
}

// FormatDiagnostic renders one diagnostic as "file:line:col: severity: summary", then
// Terraform's detail and the offending source line; file is shown under prefix.
func FormatDiagnostic(d tfjson.Diagnostic, prefix string) string {
	var b strings.Builder
	pos := "(no source position)"
	if d.Range != nil {
		f := d.Range.Filename
		if prefix != "" {
			f = filepath.ToSlash(filepath.Join(prefix, f))
		}
		pos = fmt.Sprintf("%s:%d:%d", f, d.Range.Start.Line, d.Range.Start.Column)
	}
	fmt.Fprintf(&b, "%s: %s: %s", pos, d.Severity, d.Summary)
	if d.Detail != "" {
		fmt.Fprintf(&b, "\n    %s", strings.ReplaceAll(d.Detail, "\n", "\n    "))
	}
	if d.Snippet != nil {
		if d.Snippet.Context != nil {
			fmt.Fprintf(&b, "\n    in %s", *d.Snippet.Context)
		}
		fmt.Fprintf(&b, "\n    %d: %s", d.Snippet.StartLine, strings.ReplaceAll(d.Snippet.Code, "\n", "\n       "))
	}
	return b.String()
}
