package unit

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// TestStaticTerraform runs every static rule over terraform/ (root, submodules and
// examples). Each failure names the file, line and rule.
func TestStaticTerraform(t *testing.T) {
	tree, err := hclcheck.LoadTree(filepath.Join(staticRepoRoot(), "terraform"), "terraform")
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	if len(tree.Root.Files) == 0 {
		t.Fatal("terraform/ holds no .tf files")
	}
	for _, c := range allChecks() {
		t.Run(c.rule, func(t *testing.T) {
			vs := c.run(tree)
			staticSortViolations(vs)
			for _, v := range vs {
				t.Error(v.String())
			}
			if len(vs) > 0 {
				t.Logf("rule %s enforces %s", c.rule, c.why)
			}
		})
	}
}

func staticSortViolations(vs []staticViolation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].String() < vs[j].String() })
}

// BenchmarkStaticTerraform measures parsing terraform/ and running every rule, in
// bytes of HCL per second.
func BenchmarkStaticTerraform(b *testing.B) {
	dir := filepath.Join(staticRepoRoot(), "terraform")
	tree, err := hclcheck.LoadTree(dir, "terraform")
	if err != nil {
		b.Fatalf("parse terraform/: %v", err)
	}
	var size int64
	for _, m := range tree.Modules() {
		for _, f := range m.Files {
			size += int64(len(f.Bytes))
		}
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tree, err := hclcheck.LoadTree(dir, "terraform")
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range allChecks() {
			_ = c.run(tree)
		}
	}
}
