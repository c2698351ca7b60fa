package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

func init() {
	// detected_at is the only field that depends on the clock; pin it so
	// that outputs can be compared byte for byte.
	now = func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
}

type result struct {
	code           int
	stdout, stderr string
}

func ctap(args ...string) result {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

var (
	corpusOnce sync.Once
	corpusDir  string
	corpusErr  error
)

// corpus is one generated archive with every rule planted, shared by the
// tests that only read it.
func corpus(t *testing.T) string {
	t.Helper()
	corpusOnce.Do(func() {
		corpusDir, corpusErr = os.MkdirTemp("", "ctap-test-corpus-")
		if corpusErr == nil {
			_, corpusErr = gen.Generate(gen.Options{Out: corpusDir, Accounts: 2, Days: 1, Scenario: "all", Seed: 11})
		}
	})
	require.NoError(t, corpusErr)
	return corpusDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

func TestUsageErrorsExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"replay without paths", []string{"replay"}, "no PATH given"},
		{"replay with unknown format", []string{"replay", "--format", "xml", "x"}, `unknown --format "xml"`},
		{"replay with unknown severity", []string{"replay", "--fail-on", "urgent", "x"}, "--fail-on"},
		{"replay with undefined flag", []string{"replay", "--nope", "x"}, "flag provided but not defined"},
		{"rules with unknown format", []string{"rules", "--format", "csv"}, `unknown --format "csv"`},
		{"gen without out", []string{"gen"}, "--out is required"},
		{"gen with unknown scenario", []string{"gen", "--out", "x", "--scenario", "nope"}, "unknown scenario"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ctap(tc.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	assert.Equal(t, exitOK, ctap("help").code)
	r := ctap("replay", "-h")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stderr, "s3://bucket/prefix")
}

func TestRulesJSONListsTheCatalogueWithExamples(t *testing.T) {
	r := ctap("rules", "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var rules []ruleJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rules))
	cat := detect.Catalogue()
	require.Len(t, rules, len(cat))
	for i, rule := range rules {
		assert.Equal(t, cat[i].ID, rule.ID)
		assert.True(t, json.Valid(rule.Positive) && json.Valid(rule.Negative), rule.ID)
		assert.Equal(t, cat[i].Aggregate != nil, rule.Aggregate != nil, rule.ID)
	}
}

func TestRulesTableHasOneLinePerRule(t *testing.T) {
	r := ctap("rules")
	require.Equal(t, exitOK, r.code)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	n := len(detect.Catalogue())
	assert.Len(t, lines, n+3) // header, rules, blank, count
	assert.Contains(t, r.stdout, "cis-4.3-root-usage")
}

func decodeNDJSON(t *testing.T, s string) []finding.Finding {
	t.Helper()
	var out []finding.Finding
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var f finding.Finding
		require.NoError(t, json.Unmarshal(sc.Bytes(), &f), sc.Text())
		out = append(out, f)
	}
	return out
}

func TestReplayNDJSONReportsEveryPlantedRuleWithDesignFields(t *testing.T) {
	r := ctap("replay", "--format", "ndjson", corpus(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	fs := decodeNDJSON(t, r.stdout)
	fired := map[string]bool{}
	for _, f := range fs {
		fired[f.RuleID] = true
		assert.Len(t, f.FindingID, 64)
		assert.NotEmpty(t, f.EventTime)
		assert.Equal(t, "2026-02-01T00:00:00Z", f.DetectedAt)
		assert.True(t, json.Valid(f.Evidence), f.RuleID)
	}
	for _, rule := range detect.Catalogue() {
		assert.True(t, fired[rule.ID], "rule %s not reported", rule.ID)
	}
	// Every DESIGN §3 field is present in each line.
	first := strings.SplitN(r.stdout, "\n", 2)[0]
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(first), &m))
	for _, k := range []string{"finding_id", "rule_id", "title", "severity", "account_id", "region", "event_time", "detected_at",
		"event_id", "event_name", "event_source", "principal_arn", "source_ip", "summary", "evidence", "tactic", "technique", "references", "expires_at"} {
		assert.Contains(t, m, k)
	}
	assert.Contains(t, r.stderr, "findings: ")
	assert.Contains(t, r.stderr, "skipped 2 digest/insight files")
}

func TestReplayOutputIsDeterministicWhateverTheParallelism(t *testing.T) {
	one := ctap("replay", "--format", "json", "--workers", "1", corpus(t))
	many := ctap("replay", "--format", "json", "--workers", "6", corpus(t))
	require.Equal(t, exitOK, one.code, one.stderr)
	require.Equal(t, exitOK, many.code, many.stderr)
	assert.Equal(t, one.stdout, many.stdout)
	var fs []finding.Finding
	require.NoError(t, json.Unmarshal([]byte(one.stdout), &fs))
	assert.True(t, sort.SliceIsSorted(fs, func(i, j int) bool { return less(fs[i], fs[j]) }), "sorted by event time, rule and ID")
}

func less(a, b finding.Finding) bool {
	if a.EventTime != b.EventTime {
		return a.EventTime < b.EventTime
	}
	if a.RuleID != b.RuleID {
		return a.RuleID < b.RuleID
	}
	return a.FindingID < b.FindingID
}

func TestReplayFailOnAndMinSeverity(t *testing.T) {
	dir := t.TempDir()
	_, err := gen.Generate(gen.Options{Out: dir, Accounts: 1, Days: 1, Scenario: "cis-4.4-iam-policy-change", Seed: 2})
	require.NoError(t, err)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"findings below the bar exit 0", []string{"--fail-on", "high"}, exitOK, "cis-4.4-iam-policy-change"},
		{"a finding at the bar exits 3", []string{"--fail-on", "medium"}, exitFailOn, "cis-4.4-iam-policy-change"},
		{"min-severity hides lesser findings but fail-on still sees them", []string{"--min-severity", "high", "--fail-on", "medium"}, exitFailOn, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ctap(append(append([]string{"replay", "--format", "ndjson"}, tc.args...), dir)...)
			assert.Equal(t, tc.wantCode, r.code, r.stderr)
			if tc.wantOut == "" {
				assert.Empty(t, r.stdout)
			} else {
				assert.Contains(t, r.stdout, tc.wantOut)
			}
		})
	}
}

func TestReplayNamesUnreadablePathsAndReadsTheRest(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json.gz")
	require.NoError(t, os.WriteFile(corrupt, []byte("\x1f\x8b\x08\x00garbage"), 0o644))
	missing := filepath.Join(dir, "missing")

	r := ctap("replay", "--format", "ndjson", corpus(t), missing, corrupt)
	assert.Equal(t, exitOK, r.code, "a partial replay still exits 0")
	assert.Contains(t, r.stderr, "cannot read "+missing)
	assert.Contains(t, r.stderr, "unreadable: "+corrupt)
	assert.Contains(t, r.stderr, "partial replay: 2 paths or files could not be read")
	assert.NotEmpty(t, decodeNDJSON(t, r.stdout))

	r = ctap("replay", corrupt)
	assert.Equal(t, exitFailed, r.code, "nothing readable at all")
	assert.Contains(t, r.stderr, "nothing could be read")
	r = ctap("replay", missing)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "nothing to replay")
}

func TestReplayStoreDeduplicatesAcrossRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.ndjson")
	first := ctap("replay", "--format", "ndjson", "--store", path, corpus(t))
	require.Equal(t, exitOK, first.code, first.stderr)
	n := len(decodeNDJSON(t, first.stdout))
	assert.Contains(t, first.stderr, "new findings (0 already stored)")
	second := ctap("replay", "--format", "ndjson", "--store", path, corpus(t))
	require.Equal(t, exitOK, second.code, second.stderr)
	assert.Contains(t, second.stderr, ": 0 new findings")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, decodeNDJSON(t, string(b)), n, "the store holds each finding once")
}

func TestReplayReadsAnS3Prefix(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	require.NoError(t, backend.CreateBucket("archive"))
	dir := corpus(t)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		_, err = backend.PutObject("archive", "trail/"+filepath.ToSlash(rel), map[string]string{}, bytes.NewReader(b), int64(len(b)), nil)
		return err
	}))
	orig := newS3Client
	defer func() { newS3Client = orig }()
	newS3Client = func(context.Context) (replay.S3API, error) {
		return s3.New(s3.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""),
			BaseEndpoint: aws.String(srv.URL), UsePathStyle: true}), nil
	}

	fromS3 := ctap("replay", "--format", "ndjson", "s3://archive/trail/AWSLogs/")
	require.Equal(t, exitOK, fromS3.code, fromS3.stderr)
	local := ctap("replay", "--format", "ndjson", dir)
	assert.Equal(t, local.stdout, fromS3.stdout, "the archive in S3 gives the same findings as on disk")
	assert.Contains(t, fromS3.stderr, "skipped 2 digest/insight files")

	missing := ctap("replay", "s3://archive/nothing-here/")
	assert.Equal(t, exitFailed, missing.code)
	assert.Contains(t, missing.stderr, "no log files under this prefix")
}

func TestDemoWritesFindingsAndDetectsEveryPlantedAttack(t *testing.T) {
	out := t.TempDir()
	r := ctap("demo", "--out", out, "--accounts", "1", "--days", "1")
	require.Equal(t, exitOK, r.code, r.stderr+r.stdout)
	n := len(detect.Catalogue())
	assert.Contains(t, r.stdout, "planted attacks detected")
	assert.Contains(t, r.stdout, fmt.Sprintf("%d of %d planted attacks detected", n, n))
	b, err := os.ReadFile(filepath.Join(out, "findings.ndjson"))
	require.NoError(t, err)
	assert.NotEmpty(t, decodeNDJSON(t, string(b)))
}

func TestGenWritesTheRequestedScenario(t *testing.T) {
	out := t.TempDir()
	r := ctap("gen", "--out", out, "--accounts", "1", "--scenario", "benign", "--seed", "9")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "planted 0 attack records for 0 rules")
	rr := ctap("replay", "--format", "ndjson", out)
	require.Equal(t, exitOK, rr.code, rr.stderr)
	assert.Empty(t, rr.stdout, "benign traffic gives no findings")
}
