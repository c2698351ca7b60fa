//go:build integration

// Package integration deploys examples/single-account into a sandbox AWS
// account and checks, end to end, that the platform works: logs land, the
// pipeline turns a planted attack into one finding and one alert, Glue and
// Athena answer, every function invokes, and everything is encrypted.
//
// Stages (terratest test_structure): deploy, validate, teardown. Keep a
// deployment and re-run only the validation with
//
//	SKIP_teardown=true make test-integration              # deploy + validate, keep it
//	SKIP_deploy=true SKIP_teardown=true make test-integration  # validate again
//	SKIP_deploy=true SKIP_validate=true make test-integration  # destroy it
package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	terraaws "github.com/gruntwork-io/terratest/modules/aws"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"
	teststructure "github.com/gruntwork-io/terratest/modules/test-structure"
	"github.com/stretchr/testify/require"
)

// repoRoot is the repository root relative to this package.
const repoRoot = "../.."

// Regions the suite may deploy to, unless CTAP_TEST_REGIONS narrows them.
var defaultRegions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"}

func TestPlatformEndToEnd(t *testing.T) {
	workDir := deploymentDir(t)

	defer teststructure.RunTestStage(t, "teardown", func() {
		opts := teststructure.LoadTerraformOptions(t, workDir)
		// Destroy gets its own deadline: it must run even when the test's ran out.
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
		defer cancel()
		terraform.DestroyContext(t, ctx, opts)
		// Destroyed: nothing is left for a later run (or CI's always-destroy step) to find.
		require.NoError(t, os.RemoveAll(teststructure.FormatTestDataPath(".", "")))
	})

	teststructure.RunTestStage(t, "deploy", func() {
		region := terraaws.GetRandomStableRegionContext(t, t.Context(), allowedRegions(), nil)
		prefix := "ctap" + strings.ToLower(random.UniqueID())[:4]
		opts := terraform.WithDefaultRetryableErrors(t, &terraform.Options{
			TerraformDir: workDir,
			Vars: map[string]any{
				"region":                                region,
				"name_prefix":                           prefix,
				"environment":                           "it",
				"force_destroy":                         true,
				"lambda_package":                        map[string]any{"source": "local", "local_dir": distDir(t)},
				"athena_bytes_scanned_cutoff_per_query": scanCutoffBytes,
			},
			EnvVars: map[string]string{"AWS_REGION": region},
			NoColor: true,
		})
		teststructure.SaveTerraformOptions(t, workDir, opts)
		teststructure.SaveString(t, workDir, "region", region)
		terraform.InitAndApplyContext(t, t.Context(), opts)
	})

	teststructure.RunTestStage(t, "validate", func() {
		opts := teststructure.LoadTerraformOptions(t, workDir)
		region := teststructure.LoadString(t, workDir, "region")
		p := loadPlatform(t, opts, region)

		// A group so that teardown waits for every parallel flow.
		t.Run("flows", func(t *testing.T) {
			t.Run("trail", func(t *testing.T) { t.Parallel(); testTrail(t, p) })
			t.Run("log_landing", func(t *testing.T) { t.Parallel(); testLogLanding(t, p) })
			t.Run("pipeline", func(t *testing.T) { t.Parallel(); testPipeline(t, p) })
			t.Run("crawler", func(t *testing.T) { t.Parallel(); testCrawler(t, p) })
			t.Run("athena", func(t *testing.T) { t.Parallel(); testAthena(t, p) })
			t.Run("sns", func(t *testing.T) { t.Parallel(); testSNS(t, p) })
			t.Run("functions", func(t *testing.T) { t.Parallel(); testFunctions(t, p) })
			t.Run("security", func(t *testing.T) { t.Parallel(); testSecurity(t, p) })
		})
	})
}

// deploymentDir is where the example is applied. A run that deploys copies
// the Terraform under test/integration/.test-data/ and remembers the copy
// there, so that a later run with SKIP_deploy=true (an engineer re-running
// validation, or CI's always-destroy step after a killed run) finds the same
// state. With SKIP_ variables set and nothing remembered, terratest keeps
// the state in the example folder itself.
func deploymentDir(t *testing.T) string {
	t.Helper()
	const name = "workDir"
	if _, err := os.Stat(teststructure.FormatTestDataPath(".", name+".json")); err == nil {
		return teststructure.LoadString(t, ".", name)
	}
	dest, err := filepath.Abs(teststructure.FormatTestDataPath(".", "deployments"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dest, 0o755))
	dir := teststructure.CopyTerraformFolderToDest(t, filepath.Join(repoRoot, "terraform"), "examples/single-account", dest)
	teststructure.SaveString(t, ".", name, dir)
	return dir
}

// scanCutoffBytes is the smallest cutoff Athena accepts (10 MB); the athena
// flow proves a larger scan is cancelled.
const scanCutoffBytes = 10 * 1024 * 1024

func allowedRegions() []string {
	if v := os.Getenv("CTAP_TEST_REGIONS"); v != "" {
		return strings.Split(v, ",")
	}
	return defaultRegions
}

// distDir is where `make build` put the zips; the suite deploys exactly them.
func distDir(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join(repoRoot, "dist"))
	require.NoError(t, err)
	for _, fn := range functionNames {
		_, err := os.Stat(filepath.Join(dir, fn+".zip"))
		require.NoErrorf(t, err, "dist/%s.zip is missing: run `make build` first (make test-integration does)", fn)
	}
	return dir
}

// functionNames are the five functions, keyed as Terraform's outputs key them.
var functionNames = []string{"log-processor", "event-analyzer", "alert-router", "compliance-reporter", "anomaly-detector"}
