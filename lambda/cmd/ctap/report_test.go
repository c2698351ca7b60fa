package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/report"
)

func readReport(t *testing.T, dir string) report.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var r report.Report
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

func TestReportFromLogsEvaluatesEveryControlAndMatchesReplay(t *testing.T) {
	logs := corpus(t)
	out := t.TempDir()
	r := ctap("report", "--from", logs, "--out", out, "--allowed-regions", "us-east-1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, filepath.Join(out, "report.html"))

	rep := readReport(t, out)
	require.Len(t, rep.Controls, len(report.Controls))
	byName := map[string]report.Control{}
	for _, c := range rep.Controls {
		byName[c.Name] = c
	}
	// The corpus plants root use, trail tampering and sign-ins without MFA.
	assert.Equal(t, report.Fail, byName[report.RootActivity].Status)
	assert.Equal(t, report.Fail, byName[report.TrailChanges].Status)
	assert.Equal(t, report.Fail, byName[report.ConsoleLoginsWithoutMFA].Status)
	assert.Equal(t, report.Fail, byName[report.RegionsInUse].Status, "the generator uses more regions than us-east-1")
	assert.Equal(t, report.Info, rep.Trail.Status, "no trail to check locally")
	assert.True(t, rep.Complete)

	// The findings it detects are the ones replay detects in the same logs.
	rp := ctap("replay", "--format", "ndjson", "--quiet", logs)
	require.Equal(t, exitOK, rp.code, rp.stderr)
	assert.Equal(t, strings.Count(rp.stdout, "\n"), rep.Findings.Total)

	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
	assert.NotContains(t, string(html), "<script")
}

func TestReportUsesAGivenFindingsFile(t *testing.T) {
	logs := corpus(t)
	dir := t.TempDir()
	findings := filepath.Join(dir, "findings.ndjson")
	rp := ctap("replay", "--format", "ndjson", "--quiet", "--store", findings, logs)
	require.Equal(t, exitOK, rp.code, rp.stderr)
	out := filepath.Join(dir, "out")
	r := ctap("report", "--from", logs, "--findings", findings, "--out", out)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, strings.Count(rp.stdout, "\n"), readReport(t, out).Findings.Total)

	require.NoError(t, os.WriteFile(findings, []byte("{not json\n"), 0o644))
	bad := ctap("report", "--from", logs, "--findings", findings, "--out", out)
	assert.Equal(t, exitFailed, bad.code)
	assert.Contains(t, bad.stderr, findings)
}

func TestReportFailsClearlyWithoutLogs(t *testing.T) {
	r := ctap("report")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--from PATH is required")

	missing := filepath.Join(t.TempDir(), "nope")
	r = ctap("report", "--from", missing, "--out", t.TempDir())
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, missing)
}
