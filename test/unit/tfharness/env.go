// Package tfharness runs Terraform on copies of ctap's modules for the tests in test/unit:
// it finds Terraform, provides the provider (the offline stand-in from test/tfstub, or
// the real registry with CTAP_PROVIDER=real), and turns Terraform's output into
// assertions-friendly values and readable failures.
//
// Environment:
//
//	CTAP_PROVIDER=stub|real   stub (default): the plan-only stand-in; real: registry.terraform.io
//	CTAP_TF_CLI_CONFIG=path   CLI config that installs the stand-in (scripts/test-unit.sh
//	                          writes one); unset: the harness builds the stand-in itself
//	CTAP_REQUIRE_PLAN=1       a missing Terraform or provider fails instead of skipping
//	CTAP_TERRAFORM=path       the terraform binary (default: terraform on PATH)
package tfharness

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// AWSStubVersion and RandomStubVersion are the versions the stand-in registers as.
const (
	AWSStubVersion    = "6.99.0"
	RandomStubVersion = "3.99.0"
)

// FunctionKeys are the five functions' hyphenated names (docs/contracts.md).
var FunctionKeys = []string{"log-processor", "event-analyzer", "alert-router", "compliance-reporter", "anomaly-detector"}

// Env is a usable Terraform setup.
type Env struct {
	// Terraform is the terraform binary.
	Terraform string
	// Mode is "stub" or "real".
	Mode string
	// CLIConfig is the TF_CLI_CONFIG_FILE to use; empty in real mode.
	CLIConfig string
	// CacheDir is the stand-in's schema cache.
	CacheDir string
	// RepoRoot is the repository's root directory.
	RepoRoot string
}

var (
	setupOnce sync.Once
	setupEnv  *Env
	setupErr  error
)

// Require returns the Terraform setup, or skips the test saying exactly what is missing;
// with CTAP_REQUIRE_PLAN=1 it fails instead.
func Require(t testing.TB) *Env {
	t.Helper()
	setupOnce.Do(func() { setupEnv, setupErr = setup() })
	if setupErr != nil {
		if os.Getenv("CTAP_REQUIRE_PLAN") == "1" {
			t.Fatalf("CTAP_REQUIRE_PLAN=1 but Terraform checks cannot run: %v", setupErr)
		}
		t.Skipf("Terraform checks skipped: %v (set CTAP_REQUIRE_PLAN=1 to make this a failure)", setupErr)
	}
	return setupEnv
}

// Unavailable reports a provider that could not be installed at run time (real mode
// without network): a skip, or a failure under CTAP_REQUIRE_PLAN=1.
func (e *Env) Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CTAP_REQUIRE_PLAN") == "1" {
		t.Fatalf("CTAP_REQUIRE_PLAN=1 but the %s provider is unavailable: %s", e.Mode, reason)
	}
	t.Skipf("%s provider unavailable: %s (set CTAP_REQUIRE_PLAN=1 to make this a failure)", e.Mode, reason)
}

// RepoRoot finds the directory holding go.mod above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func setup() (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	tf := os.Getenv("CTAP_TERRAFORM")
	if tf == "" {
		tf, err = exec.LookPath("terraform")
		if err != nil {
			return nil, errors.New("terraform is not on PATH (install it with scripts/install-terraform.sh, or set CTAP_TERRAFORM)")
		}
	} else if _, err := exec.LookPath(tf); err != nil {
		return nil, fmt.Errorf("CTAP_TERRAFORM=%s is not an executable: %w", tf, err)
	}
	e := &Env{Terraform: tf, RepoRoot: root}
	switch m := os.Getenv("CTAP_PROVIDER"); m {
	case "", "stub":
		e.Mode = "stub"
	case "real":
		e.Mode = "real"
		return e, nil
	default:
		return nil, fmt.Errorf("CTAP_PROVIDER=%q: want stub or real", m)
	}
	e.CacheDir = filepath.Join(root, ".tools", "tfstub", "schema-cache")
	if cfg := os.Getenv("CTAP_TF_CLI_CONFIG"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			return nil, fmt.Errorf("CTAP_TF_CLI_CONFIG=%s: %w", cfg, err)
		}
		e.CLIConfig = cfg
		if d := os.Getenv("CTAP_TFSTUB_CACHE_DIR"); d != "" {
			e.CacheDir = d
		}
		return e, nil
	}
	cfg, err := BuildStub(root, filepath.Join(root, ".tools", "tfstub"))
	if err != nil {
		return nil, fmt.Errorf("the offline stand-in provider could not be built: %w", err)
	}
	e.CLIConfig = cfg
	return e, nil
}

// BuildStub builds test/tfstub into dir, installs it into a filesystem mirror under dir
// as hashicorp/aws and hashicorp/random, and writes a CLI config that installs only from
// that mirror. It returns the CLI config's path.
func BuildStub(root, dir string) (string, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return "", errors.New("go is not on PATH")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "tfstub")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./test/tfstub")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./test/tfstub: %w\n%s", err, out)
	}
	mirror := filepath.Join(dir, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, p := range []struct{ name, version string }{{"aws", AWSStubVersion}, {"random", RandomStubVersion}} {
		target := filepath.Join(mirror, "registry.terraform.io", "hashicorp", p.name, p.version, platform,
			fmt.Sprintf("terraform-provider-%s_v%s", p.name, p.version))
		if err := copyIfChanged(bin, target); err != nil {
			return "", err
		}
	}
	cfg := filepath.Join(dir, "terraformrc")
	body := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/hashicorp/*\"]\n  }\n}\n", mirror)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return "", err
	}
	return cfg, nil
}

func copyIfChanged(src, dst string) error {
	a, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(dst); err == nil && bytes.Equal(a, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	// A unique temporary name: another test binary or scripts/test-unit.sh may be
	// installing the same binary at the same moment.
	f, err := os.CreateTemp(filepath.Dir(dst), ".install-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(a); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o755); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), dst)
}

// Vars are the environment variables every Terraform run gets: the CLI config, mock AWS
// credentials (nothing may reach AWS), and no prompts or update checks.
func (e *Env) Vars() map[string]string {
	v := map[string]string{
		"TF_IN_AUTOMATION":            "1",
		"TF_INPUT":                    "0",
		"CHECKPOINT_DISABLE":          "1",
		"AWS_ACCESS_KEY_ID":           "mock",
		"AWS_SECRET_ACCESS_KEY":       "mock",
		"AWS_SESSION_TOKEN":           "mock",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
	if e.CLIConfig != "" {
		v["TF_CLI_CONFIG_FILE"] = e.CLIConfig
	}
	if e.CacheDir != "" {
		v["CTAP_TFSTUB_CACHE_DIR"] = e.CacheDir
	}
	return v
}

// Run runs terraform in dir and returns its stdout and stderr.
func (e *Env) Run(ctx context.Context, dir string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, e.Terraform, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range e.Vars() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// CopyTerraform copies the repository's terraform/ tree into a fresh temporary directory
// (so parallel tests and sabotage never touch the working tree) and returns the copy's
// path. Local state, .terraform directories and, for the stand-in, lock files (their
// hashes are the real provider's) are left out.
func (e *Env) CopyTerraform(t testing.TB) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "terraform")
	if err := CopyTree(filepath.Join(e.RepoRoot, "terraform"), dst, e.Mode == "stub"); err != nil {
		t.Fatalf("copy terraform/: %v", err)
	}
	return dst
}

// CopyTree copies src to dst without .terraform directories and state files, and without
// .terraform.lock.hcl when dropLocks is set.
func CopyTree(src, dst string, dropLocks bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(name, ".tfstate") || strings.Contains(name, ".tfstate.") || strings.HasSuffix(name, ".tfplan") ||
			(dropLocks && name == ".terraform.lock.hcl") || !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// DummyPackages writes the five function zips (each holding a small "bootstrap") into a
// temporary directory, for filebase64sha256 during plans, and returns the directory.
func DummyPackages(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range FunctionKeys {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err == nil {
			_, err = w.Write([]byte("#!/bin/sh\n# ctap test package " + k + "\n"))
		}
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, k+".zip"), buf.Bytes(), 0o644)
		}
		if err != nil {
			t.Fatalf("write dummy package %s: %v", k, err)
		}
	}
	return dir
}
