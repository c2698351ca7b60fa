package gen_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/ingest"
)

// detectAll runs every event file under dir through one session, in path
// order, and returns the findings and the number of records read.
func detectAll(t *testing.T, dir string) ([]finding.Finding, int) {
	t.Helper()
	session := detect.NewEngine(detect.Catalogue(), detect.Options{}).NewSession()
	var out []finding.Finding
	records := 0
	var paths []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && cloudtrail.ClassifyKey(filepath.ToSlash(p)) == cloudtrail.KindEvent {
			paths = append(paths, p)
		}
		return err
	}))
	sort.Strings(paths)
	for _, p := range paths {
		f, err := os.Open(p)
		require.NoError(t, err)
		st, err := ingest.Scan(context.Background(), f, p, session, func(fd finding.Finding) error {
			out = append(out, fd)
			return nil
		})
		f.Close()
		require.NoError(t, err, p)
		require.Zero(t, st.Malformed, "%s: %s", p, st.FirstMalformed)
		records += st.Records
	}
	return out, records
}

func TestGenerateBenignTrafficRaisesNoFindings(t *testing.T) {
	dir := t.TempDir()
	res, err := gen.Generate(gen.Options{Out: dir, Accounts: 2, Days: 1, Scenario: "benign", Seed: 7})
	require.NoError(t, err)
	assert.Empty(t, res.PlantedRules)
	findings, records := detectAll(t, dir)
	assert.Equal(t, res.Records, records)
	var fired []string
	for _, f := range findings {
		fired = append(fired, f.RuleID+": "+f.Summary)
	}
	assert.Empty(t, fired, "background traffic must be benign")
}

func TestGenerateAllPlantsEveryRuleAndEachFires(t *testing.T) {
	dir := t.TempDir()
	res, err := gen.Generate(gen.Options{Out: dir, Accounts: 2, Days: 1, Scenario: "all", Seed: 1})
	require.NoError(t, err)
	rules := detect.Catalogue()
	assert.Len(t, res.PlantedRules, len(rules))
	findings, _ := detectAll(t, dir)
	fired := map[string]bool{}
	for _, f := range findings {
		fired[f.RuleID] = true
	}
	for _, r := range rules {
		assert.True(t, fired[r.ID], "planted rule %s did not fire", r.ID)
	}
}

func TestGenerateWritesOrgLayoutAndDigests(t *testing.T) {
	dir := t.TempDir()
	res, err := gen.Generate(gen.Options{Out: dir, Accounts: 2, Days: 1, Scenario: "benign", Seed: 3})
	require.NoError(t, err)
	assert.Equal(t, 2*len(gen.Regions)*24, res.EventFiles)
	assert.Equal(t, 2, res.DigestFiles)
	var events, digests int
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		key := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		info, ok := cloudtrail.ParseKey(key)
		require.True(t, ok, key)
		assert.Equal(t, res.OrgID, info.OrgID)
		switch info.Kind {
		case cloudtrail.KindEvent:
			events++
			assert.Regexp(t, `^\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`, info.File)
		case cloudtrail.KindDigest:
			digests++
		}
		return nil
	}))
	assert.Equal(t, res.EventFiles, events)
	assert.Equal(t, res.DigestFiles, digests)
}

// tree hashes every file under dir by relative path.
func tree(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	}))
	return out
}

func TestGenerateIsDeterministicForASeed(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	opts := gen.Options{Accounts: 2, Days: 1, Scenario: "defense-evasion", Seed: 42}
	opts.Out = a
	_, err := gen.Generate(opts)
	require.NoError(t, err)
	opts.Out = b
	_, err = gen.Generate(opts)
	require.NoError(t, err)
	assert.Equal(t, tree(t, a), tree(t, b))
	opts.Out, opts.Seed = c, 43
	_, err = gen.Generate(opts)
	require.NoError(t, err)
	assert.NotEqual(t, tree(t, a), tree(t, c))
}

func TestGenerateSizeMBReachesTheTarget(t *testing.T) {
	res, err := gen.Generate(gen.Options{Out: t.TempDir(), Accounts: 1, Days: 1, Scenario: "benign", Seed: 5, SizeMB: 3})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Bytes, int64(3<<20))
	assert.Less(t, res.Bytes, int64(5<<20), "not wildly over")
}

func TestSelectScenarios(t *testing.T) {
	rules := detect.Catalogue()
	tests := []struct {
		scenario string
		want     func(detect.Rule) bool
		wantErr  bool
	}{
		{"all", func(detect.Rule) bool { return true }, false},
		{"benign", func(detect.Rule) bool { return false }, false},
		{"defense-evasion", func(r detect.Rule) bool { return r.Tactic == "Defense Evasion" }, false},
		{"cis-4.3-root-usage", func(r detect.Rule) bool { return r.ID == "cis-4.3-root-usage" }, false},
		{"cis", func(r detect.Rule) bool {
			return strings.HasPrefix(strings.Join(r.References, ","), "CIS") || strings.Contains(strings.Join(r.References, ","), ",CIS")
		}, false},
		{"no-such-thing", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			got, err := gen.Select(rules, tc.scenario)
			if tc.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "defense-evasion", "the error lists valid names")
				return
			}
			require.NoError(t, err)
			var want []string
			for _, r := range rules {
				if tc.want(r) {
					want = append(want, r.ID)
				}
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, want, ids)
		})
	}
}
