package tfharness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Mutation breaks one thing on purpose in a copy of the Terraform, so that tests can prove
// a check fails loudly.
type Mutation struct {
	// File is relative to the terraform/ copy, e.g. "modules/kms-key/main.tf".
	File string
	// Block is the top-level block's type and labels, e.g. ["resource", "aws_kms_key", "this"].
	Block []string
	// Nested walks into nested blocks by type (first match each), e.g. ["statement"].
	Nested []string
	// Edit changes the body found.
	Edit func(b *hclwrite.Body) error
}

// RenameAttribute misspells an argument.
func RenameAttribute(from, to string) func(*hclwrite.Body) error {
	return func(b *hclwrite.Body) error {
		if !b.RenameAttribute(from, to) {
			return fmt.Errorf("no attribute %q to rename", from)
		}
		return nil
	}
}

// RemoveBlock deletes the first nested block of a type.
func RemoveBlock(typ string) func(*hclwrite.Body) error {
	return func(b *hclwrite.Body) error {
		for _, nb := range b.Blocks() {
			if nb.Type() == typ {
				b.RemoveBlock(nb)
				return nil
			}
		}
		return fmt.Errorf("no %q block to remove", typ)
	}
}

// ReplaceInAttribute replaces text inside an attribute's expression.
func ReplaceInAttribute(name, old, new string) func(*hclwrite.Body) error {
	return func(b *hclwrite.Body) error {
		a := b.GetAttribute(name)
		if a == nil {
			return fmt.Errorf("no attribute %q", name)
		}
		src := string(a.Expr().BuildTokens(nil).Bytes())
		if !strings.Contains(src, old) {
			return fmt.Errorf("attribute %q (%s) does not contain %q", name, strings.TrimSpace(src), old)
		}
		b.SetAttributeRaw(name, hclwrite.Tokens{{Type: 0, Bytes: []byte(strings.Replace(src, old, new, 1))}})
		return nil
	}
}

// NestedWhere picks, among nested blocks of typ, the first whose attribute attr contains
// text; used as a Mutation.Nested step "typ[attr~text]".
func NestedWhere(typ, attr, text string) string { return typ + "[" + attr + "~" + text + "]" }

// Apply performs the mutation on the tree rooted at dir (a copy of terraform/).
func (m Mutation) Apply(dir string) error {
	path := filepath.Join(dir, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, diags := hclwrite.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return fmt.Errorf("parse %s: %s", m.File, diags.Error())
	}
	if len(m.Block) == 0 {
		return fmt.Errorf("%s: mutation names no block", m.File)
	}
	blk := f.Body().FirstMatchingBlock(m.Block[0], m.Block[1:])
	if blk == nil {
		return fmt.Errorf("%s: no block %s", m.File, strings.Join(m.Block, " "))
	}
	body := blk.Body()
	for _, step := range m.Nested {
		typ, attr, text := step, "", ""
		if i := strings.Index(step, "["); i > 0 && strings.HasSuffix(step, "]") {
			typ = step[:i]
			cond := strings.SplitN(step[i+1:len(step)-1], "~", 2)
			if len(cond) == 2 {
				attr, text = cond[0], cond[1]
			}
		}
		var next *hclwrite.Body
		for _, nb := range body.Blocks() {
			if nb.Type() != typ {
				continue
			}
			if attr != "" {
				a := nb.Body().GetAttribute(attr)
				if a == nil || !strings.Contains(string(a.Expr().BuildTokens(nil).Bytes()), text) {
					continue
				}
			}
			next = nb.Body()
			break
		}
		if next == nil {
			return fmt.Errorf("%s: %s has no nested block %s", m.File, strings.Join(m.Block, " "), step)
		}
		body = next
	}
	if err := m.Edit(body); err != nil {
		return fmt.Errorf("%s: %s: %w", m.File, strings.Join(append(m.Block, m.Nested...), " > "), err)
	}
	return os.WriteFile(path, f.Bytes(), 0o644)
}
