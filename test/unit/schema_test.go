package unit

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	tfschema "github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/ctap-platform/ctap/test/unit/tfharness"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	tfjson "github.com/hashicorp/terraform-json"
)

// schemaMetaArgs are the meta-arguments Terraform itself handles in resource and data
// blocks; they are not in any provider schema.
var schemaMetaArgs = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true}

// schemaMetaBlocks are Terraform's own nested blocks in resource and data blocks.
var schemaMetaBlocks = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}

// schemaCheckTree checks every resource and data block under root (a terraform/ tree)
// against the v6-adjusted provider schemas: arguments and blocks exist, required ones are
// present, nothing deprecated or read-only is set. Positions are relative to base.
func schemaCheckTree(root, base string) ([]string, error) {
	var problems []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".tf") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		f, diags := hclsyntax.ParseConfig(src, rel, hcl.InitialPos)
		if diags.HasErrors() {
			problems = append(problems, diags.Error())
			return nil
		}
		body := f.Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			if (b.Type != "resource" && b.Type != "data") || len(b.Labels) != 2 {
				continue
			}
			problems = append(problems, schemaCheckBlock(b)...)
		}
		return nil
	})
	sort.Strings(problems)
	return problems, err
}

func schemaCheckBlock(b *hclsyntax.Block) []string {
	typ, name := b.Labels[0], b.Labels[1]
	data := b.Type == "data"
	subject := fmt.Sprintf("%s.%s", typ, name)
	if data {
		subject = "data." + subject
	}
	pos := func(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }
	var prov *tfschema.Provider
	switch {
	case strings.HasPrefix(typ, "aws_"):
		prov = tfschema.AWS()
	case strings.HasPrefix(typ, "random_"):
		prov = tfschema.Random()
	default:
		return []string{fmt.Sprintf("%s: %s: no schema for provider of %q (add it to test/tfstub/schema)", pos(b.TypeRange), subject, typ)}
	}
	lookup := prov.Resource
	if data {
		lookup = prov.DataSource
	}
	s, ok, err := lookup(typ)
	if err != nil {
		return []string{fmt.Sprintf("%s: %s: schema: %v", pos(b.TypeRange), subject, err)}
	}
	if !ok {
		what := "resource type"
		if data {
			what = "data source"
		}
		return []string{fmt.Sprintf("%s: %s: %s %s %q does not exist", pos(b.TypeRange), subject, prov.Source, what, typ)}
	}
	return schemaCheckBody(b.Body, s.Block, subject, true, pos)
}

func schemaCheckBody(body *hclsyntax.Body, sb *tfjson.SchemaBlock, path string, top bool, pos func(hcl.Range) string) []string {
	var out []string
	for n, a := range body.Attributes {
		if top && schemaMetaArgs[n] {
			continue
		}
		sa, ok := sb.Attributes[n]
		if !ok {
			if _, isBlock := sb.NestedBlocks[n]; isBlock {
				out = append(out, fmt.Sprintf("%s: %s: %q is a block, not an argument", pos(a.SrcRange), path, n))
			} else {
				out = append(out, fmt.Sprintf("%s: %s: unsupported argument %q", pos(a.SrcRange), path, n))
			}
			continue
		}
		if sa.Computed && !sa.Optional && !sa.Required {
			out = append(out, fmt.Sprintf("%s: %s: %q is read-only (computed) and cannot be set", pos(a.SrcRange), path, n))
		}
		if sa.Deprecated {
			out = append(out, fmt.Sprintf("%s: %s: argument %q is deprecated", pos(a.SrcRange), path, n))
		}
	}
	present := map[string]bool{}
	for _, nb := range body.Blocks {
		if top && schemaMetaBlocks[nb.Type] {
			continue
		}
		typ, content := nb.Type, nb.Body
		if nb.Type == "dynamic" {
			if len(nb.Labels) != 1 {
				out = append(out, fmt.Sprintf("%s: %s: dynamic block without a label", pos(nb.TypeRange), path))
				continue
			}
			typ = nb.Labels[0]
			content = nil
			for _, c := range nb.Body.Blocks {
				if c.Type == "content" {
					content = c.Body
				}
			}
			if content == nil {
				out = append(out, fmt.Sprintf("%s: %s: dynamic %q has no content block", pos(nb.TypeRange), path, typ))
				continue
			}
		}
		st, ok := sb.NestedBlocks[typ]
		if !ok {
			if _, isAttr := sb.Attributes[typ]; isAttr {
				out = append(out, fmt.Sprintf("%s: %s: %q is an argument, not a block (write %s = ...)", pos(nb.TypeRange), path, typ, typ))
			} else {
				out = append(out, fmt.Sprintf("%s: %s: unsupported block type %q", pos(nb.TypeRange), path, typ))
			}
			continue
		}
		if st.Block != nil && st.Block.Deprecated {
			out = append(out, fmt.Sprintf("%s: %s: block %q is deprecated", pos(nb.TypeRange), path, typ))
		}
		present[typ] = true
		out = append(out, schemaCheckBody(content, st.Block, path+"."+typ, false, pos)...)
	}
	for n, sa := range sb.Attributes {
		if sa.Required {
			if _, ok := body.Attributes[n]; !ok {
				out = append(out, fmt.Sprintf("%s: %s: required argument %q is missing", pos(body.SrcRange), path, n))
			}
		}
	}
	for n, st := range sb.NestedBlocks {
		if st.MinItems > 0 && !present[n] {
			out = append(out, fmt.Sprintf("%s: %s: at least %d %q block(s) required, none present", pos(body.SrcRange), path, st.MinItems, n))
		}
	}
	return out
}

func TestSchemaEveryArgumentAndBlockExistsInProviderSchema(t *testing.T) {
	root, err := tfharness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := schemaCheckTree(filepath.Join(root, "terraform"), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%d schema problem(s) against hashicorp/aws v%s-as-v6 and hashicorp/random:\n%s",
			len(problems), tfschema.UpstreamAWSVersion, strings.Join(problems, "\n"))
	}
}

// TestSchemaCheckFailsLoudlyOnBrokenModules breaks the Terraform on purpose in a copy and
// proves the static check names each break with its file and line.
func TestSchemaCheckFailsLoudlyOnBrokenModules(t *testing.T) {
	root, err := tfharness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		mutation tfharness.Mutation
		want     string
	}{
		{"misspelled argument", tfharness.Mutation{File: "modules/kms-key/main.tf", Block: []string{"resource", "aws_kms_key", "this"},
			Edit: tfharness.RenameAttribute("enable_key_rotation", "enable_key_rotaton")},
			`terraform/modules/kms-key/main.tf:`},
		{"missing required block", tfharness.Mutation{File: "modules/log-bucket/main.tf", Block: []string{"resource", "aws_s3_bucket_versioning", "this"},
			Edit: tfharness.RemoveBlock("versioning_configuration")},
			`"versioning_configuration" block(s) required, none present`},
		{"deprecated argument", tfharness.Mutation{File: "modules/log-bucket/main.tf", Block: []string{"resource", "aws_s3_bucket", "this"},
			Edit: func(b *hclwrite.Body) error {
				b.SetAttributeRaw("acl", hclwrite.Tokens{{Bytes: []byte(`"private"`)}})
				return nil
			}},
			`aws_s3_bucket.this: argument "acl" is deprecated`},
		{"argument written as a block", tfharness.Mutation{File: "modules/kms-key/main.tf", Block: []string{"resource", "aws_kms_key", "this"},
			Edit: func(b *hclwrite.Body) error {
				b.AppendNewBlock("tags", nil)
				return nil
			}},
			`"tags" is an argument, not a block`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			copyRoot := filepath.Join(t.TempDir(), "repo")
			tree := filepath.Join(copyRoot, "terraform")
			if err := tfharness.CopyTree(filepath.Join(root, "terraform"), tree, true); err != nil {
				t.Fatal(err)
			}
			if err := tc.mutation.Apply(tree); err != nil {
				t.Fatalf("sabotage did not apply (has the module changed?): %v", err)
			}
			problems, err := schemaCheckTree(tree, copyRoot)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(problems, "\n")
			if !strings.Contains(got, tc.want) {
				t.Fatalf("schema check missed the %s: want a problem containing %q, got:\n%s", tc.name, tc.want, got)
			}
			t.Logf("schema check reported, as it should:\n%s", got)
		})
	}
}
