package unit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// tfModuleDirs lists every directory Terraform must validate: the root module, each
// submodule and each example, found on disk so that a new one is covered automatically.
func tfModuleDirs(t *testing.T, root string) []string {
	t.Helper()
	dirs := []string{"."}
	for _, parent := range []string{"modules", "examples"} {
		entries, err := os.ReadDir(filepath.Join(root, "terraform", parent))
		if err != nil {
			t.Fatalf("list terraform/%s: %v", parent, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, parent+"/"+e.Name())
			}
		}
	}
	sort.Strings(dirs)
	return dirs
}

// tfInitOrSkip initialises dir, turning a provider download failure (real mode, no
// network) into the harness's skip-or-fail.
func tfInitOrSkip(ctx context.Context, t *testing.T, env *tfharness.Env, dir string) {
	t.Helper()
	if err := env.Init(ctx, dir); err != nil {
		var ie *tfharness.InitError
		if errors.As(err, &ie) && ie.Download && env.Mode == "real" {
			env.Unavailable(t, "terraform init could not download the providers:\n"+ie.Output)
		}
		t.Fatal(err)
	}
}

func TestTerraformValidatePassesWithoutWarnings(t *testing.T) {
	env := tfharness.Require(t)
	for _, rel := range tfModuleDirs(t, env.RepoRoot) {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			dir := filepath.Join(env.CopyTerraform(t), rel)
			tfInitOrSkip(ctx, t, env, dir)
			res, err := env.Validate(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if probs := res.Problems("terraform/" + rel); len(probs) > 0 {
				t.Errorf("terraform validate terraform/%s: %d error(s), %d warning(s) (warnings fail too):\n%s",
					rel, res.Out.ErrorCount, res.Out.WarningCount, strings.Join(probs, "\n"))
			}
		})
	}
}

// TestTerraformValidateFailsLoudlyOnBrokenModules proves that validate catches what it is
// here for, and that the failure names the file and line.
func TestTerraformValidateFailsLoudlyOnBrokenModules(t *testing.T) {
	env := tfharness.Require(t)
	cases := []struct {
		name     string
		module   string
		mutation tfharness.Mutation
		want     []string // substrings of the formatted diagnostics
	}{
		{
			name:   "misspelled argument",
			module: "modules/kms-key",
			mutation: tfharness.Mutation{File: "modules/kms-key/main.tf", Block: []string{"resource", "aws_kms_key", "this"},
				Edit: tfharness.RenameAttribute("enable_key_rotation", "enable_key_rotaton")},
			want: []string{"terraform/modules/kms-key/main.tf:4", "error: Unsupported argument", `"enable_key_rotaton" is not expected here`},
		},
		{
			name:   "missing required block",
			module: "modules/log-bucket",
			mutation: tfharness.Mutation{File: "modules/log-bucket/main.tf", Block: []string{"resource", "aws_s3_bucket_versioning", "this"},
				Edit: tfharness.RemoveBlock("versioning_configuration")},
			want: []string{"terraform/modules/log-bucket/main.tf:", "error: Insufficient versioning_configuration blocks"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			root := env.CopyTerraform(t)
			if err := tc.mutation.Apply(root); err != nil {
				t.Fatalf("sabotage did not apply (has the module changed?): %v", err)
			}
			dir := filepath.Join(root, tc.module)
			tfInitOrSkip(ctx, t, env, dir)
			res, err := env.Validate(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if res.Out.Valid {
				t.Fatalf("terraform validate accepted %s with %s", tc.module, tc.name)
			}
			got := strings.Join(res.Problems("terraform/"+tc.module), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("diagnostics lack %q; got:\n%s", w, got)
				}
			}
			t.Logf("validate reported, as it should:\n%s", got)
		})
	}
}
