package alert

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func sampleFinding() finding.Finding {
	ev := json.RawMessage(`{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}`)
	return finding.Finding{
		FindingID:    finding.ID("ct-stop-logging", "0b7c5e4c-1111-4222-8333-444455556666"),
		RuleID:       "ct-stop-logging",
		Title:        "CloudTrail logging stopped",
		Severity:     finding.Critical,
		AccountID:    "111122223333",
		Region:       "us-east-1",
		EventTime:    "2026-11-27T05:04:03Z",
		DetectedAt:   "2026-11-27T05:06:00Z",
		EventID:      "0b7c5e4c-1111-4222-8333-444455556666",
		EventName:    "StopLogging",
		EventSource:  "cloudtrail.amazonaws.com",
		PrincipalARN: "arn:aws:sts::111122223333:assumed-role/Admin/mallory",
		SourceIP:     "198.51.100.23",
		Summary:      "arn:aws:sts::111122223333:assumed-role/Admin/mallory stopped logging on trail org-trail",
		Evidence:     ev,
		Tactic:       "Defense Evasion",
		Technique:    "T1562.008",
		References:   []string{"CIS 4.5"},
		ExpiresAt:    1772168760,
	}
}

func TestFormatMatchesGolden(t *testing.T) {
	cases := []struct {
		name       string
		mutate     func(*finding.Finding)
		suppressed int
	}{
		{"critical", func(*finding.Finding) {}, 0},
		{"suppressed_since_last", func(f *finding.Finding) { f.Severity = finding.High }, 7},
		{"hostile_text", func(f *finding.Finding) {
			f.Severity = finding.Medium
			f.Title = "Bucket “logs” opened — public\nRegion: fake-line"
			f.Summary = "line one\r\nAccount: 999999999999"
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := sampleFinding()
			tc.mutate(&f)
			m, err := Format(f, tc.suppressed, time.Hour)
			require.NoError(t, err)
			got, err := json.MarshalIndent(m, "", "  ")
			require.NoError(t, err)
			path := filepath.Join("testdata", "message_"+tc.name+".golden.json")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create %s", path)
			assert.Equal(t, string(want), string(got)+"\n")

			// The body starts with the human summary and ends with the JSON.
			assert.True(t, strings.HasPrefix(m.Body, strings.ToUpper(string(f.Severity))+": "))
			js := m.Body[strings.Index(m.Body, "Finding JSON:\n")+len("Finding JSON:\n"):]
			var back finding.Finding
			require.NoError(t, json.Unmarshal([]byte(js), &back))
			assert.Equal(t, f.FindingID, back.FindingID)
			for _, line := range strings.Split(m.Body[:strings.Index(m.Body, "Finding JSON:")], "\n") {
				assert.False(t, strings.HasPrefix(line, "Account:") && strings.Contains(line, "999999999999"), "no forged lines")
			}
		})
	}
}

func TestSubjectIsShortASCIIAndKeepsSeverityAndAccount(t *testing.T) {
	cases := []struct {
		name, title, account string
		want                 string
	}{
		{"plain", "Root account used", "111122223333", "[CRITICAL] Root account used - 111122223333"},
		{"em dash and quotes become ASCII", "Bucket “logs” opened — public", "111122223333", `[CRITICAL] Bucket "logs" opened - public - 111122223333`},
		{"newlines and tabs become single spaces", "two\nlines\t\there", "1", "[CRITICAL] two lines here - 1"},
		{"other scripts become question marks", "ログ停止", "1", "[CRITICAL] ???? - 1"},
		{"empty title falls back to the rule", "", "1", "[CRITICAL] ct-stop-logging - 1"},
		{"long title is cut, account survives", strings.Repeat("é", 30) + strings.Repeat("x", 200), "111122223333",
			"[CRITICAL] " + strings.Repeat("?", 30) + strings.Repeat("x", 99-len("[CRITICAL] ")-len(" - 111122223333")-3-30) + "... - 111122223333"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := sampleFinding()
			f.Title, f.AccountID = tc.title, tc.account
			got := Subject(f)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, len(got), MaxSubjectLen)
			assert.True(t, utf8.ValidString(got))
			for _, r := range got {
				assert.True(t, r >= 0x20 && r < 0x7f, "non-printable-ASCII %q in subject", r)
			}
		})
	}
}

func TestFormatOmitsEvidenceThatWouldExceedTheSNSLimit(t *testing.T) {
	f := sampleFinding()
	f.Evidence = json.RawMessage(`{"blob":"` + strings.Repeat("a", 290*1024) + `"}`)
	m, err := Format(f, 0, time.Hour)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(m.Body), MaxBodyBytes)
	assert.Contains(t, m.Body, `"omitted": true`)
	assert.Contains(t, m.Body, f.FindingID)
}
