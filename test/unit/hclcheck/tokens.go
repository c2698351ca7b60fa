package hclcheck

import (
	tfschema "github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
)

// Literal is a piece of literal text in a file: the text of a quoted string or
// heredoc (without interpolations) or a number. Comments are never literals.
type Literal struct {
	Text    string
	Range   hcl.Range
	Heredoc bool
	Number  bool
}

// Literals lexes every file of the module (once) and returns its literal text in
// order. The result is shared: callers must not modify it.
func (m *Module) Literals() []Literal {
	m.literalsOnce.Do(func() { m.literals = m.lexLiterals() })
	return m.literals
}

func (m *Module) lexLiterals() []Literal {
	var out []Literal
	for _, f := range m.Files {
		toks, diags := hclsyntax.LexConfig(f.Bytes, f.Path, hcl.InitialPos)
		if diags.HasErrors() {
			continue // the file parsed, so this cannot happen; never panic on it
		}
		inHeredoc := false
		for _, t := range toks {
			switch t.Type {
			case hclsyntax.TokenOHeredoc:
				inHeredoc = true
			case hclsyntax.TokenCHeredoc:
				inHeredoc = false
			case hclsyntax.TokenQuotedLit, hclsyntax.TokenStringLit:
				out = append(out, Literal{Text: string(t.Bytes), Range: t.Range, Heredoc: inHeredoc})
			case hclsyntax.TokenNumberLit:
				out = append(out, Literal{Text: string(t.Bytes), Range: t.Range, Number: true})
			}
		}
	}
	return out
}

// Heredocs returns every heredoc template expression in the module's attributes
// (at any depth), with the name of the attribute that holds it.
func (m *Module) Heredocs() []HeredocUse {
	var out []HeredocUse
	for _, f := range m.Files {
		_ = hclsyntax.VisitAll(f.Body, func(n hclsyntax.Node) hcl.Diagnostics {
			a, ok := n.(*hclsyntax.Attribute)
			if !ok {
				return nil
			}
			_ = hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				if t, ok := n.(*hclsyntax.TemplateExpr); ok && isHeredoc(f.Bytes, t) {
					out = append(out, HeredocUse{Attribute: a.Name, Range: t.Range(), Text: string(f.Bytes[t.Range().Start.Byte:t.Range().End.Byte])})
				}
				return nil
			})
			return nil
		})
	}
	return out
}

// HeredocUse is a heredoc found in an attribute.
type HeredocUse struct {
	Attribute string
	Range     hcl.Range
	Text      string
}

func isHeredoc(src []byte, t *hclsyntax.TemplateExpr) bool {
	r := t.Range()
	return r.Start.Byte+2 <= len(src) && string(src[r.Start.Byte:r.Start.Byte+2]) == "<<"
}

// Taggable reports whether the AWS provider schema gives a resource type a `tags`
// argument; known is false for types the schema does not describe (other providers).
func Taggable(resourceType string) (taggable, known bool) {
	s := schemaOf(resourceType)
	if s == nil || s.Block == nil {
		return false, false
	}
	a, ok := s.Block.Attributes["tags"]
	return ok && a != nil && (a.Optional || a.Required), true
}

// SchemaAttribute reports whether the AWS provider schema lists a top-level argument
// for a resource type; known is false for types the schema does not describe.
func SchemaAttribute(resourceType, attr string) (has, known bool) {
	s := schemaOf(resourceType)
	if s == nil || s.Block == nil {
		return false, false
	}
	_, has = s.Block.Attributes[attr]
	return has, true
}

// schemaOf returns the schema of an AWS resource type as the plan-only stand-in serves
// it (v5.100.0 with the v6 deltas), so the static checks and the plans agree on what a
// type accepts. The stand-in's schema package parses each type on first lookup and
// caches it, so the checks pay only for the types they ask about. It returns nil for
// types the schema does not describe, and for a type whose v6 delta fails to apply:
// TestEveryDeltaAppliesToTheUpstreamSchema in test/tfstub/schema fails on that.
func schemaOf(resourceType string) *tfjson.Schema {
	s, ok, err := tfschema.AWS().Resource(resourceType)
	if !ok || err != nil {
		return nil
	}
	return s
}
