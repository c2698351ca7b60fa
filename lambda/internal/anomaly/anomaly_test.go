package anomaly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

var defaults = Thresholds{BaselineDays: 7, ZScore: 3, MinCalls: 100, AccessDeniedMin: 20, BulkReadMin: 100}

// baseline returns sum and sum of squares for hourly counts.
func baseline(counts ...int64) (sum, sumsq int64) {
	for _, c := range counts {
		sum += c
		sumsq += c * c
	}
	return
}

func repeat(n int, v int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestScoreVolume(t *testing.T) {
	noisy := append(repeat(84, 50), repeat(84, 150)...) // mean 100, stddev 50
	cases := []struct {
		name    string
		current int64
		hist    []int64
		hours   int
		want    bool
		wantZ   float64
	}{
		{"a spike far above a noisy baseline", 400, noisy, 168, true, 6},
		{"inside the noise of a noisy baseline", 220, noisy, 168, false, 2.4},
		{"a steady caller one call over its habit is normal (Poisson floor)", 101, repeat(168, 100), 168, false, 0.1},
		{"a steady caller doubling is anomalous", 200, repeat(168, 100), 168, true, 10},
		{"a principal never seen before, over the minimum", 150, nil, 168, true, math.Inf(1)},
		{"a principal never seen before, under the minimum", 99, nil, 168, false, math.Inf(1)},
		{"a huge z-score under the minimum count is not reported", 60, repeat(10, 1), 168, false, 0},
		{"fewer calls than usual is never an anomaly", 0, noisy, 168, false, -2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, sq := baseline(tc.hist...)
			v := ScoreVolume(tc.current, sum, sq, tc.hours, 3, 100)
			assert.Equal(t, tc.want, v.Anomaly)
			if math.IsInf(tc.wantZ, 1) {
				assert.True(t, math.IsInf(v.Z, 1))
			} else if tc.wantZ != 0 {
				assert.InDelta(t, tc.wantZ, v.Z, 0.05)
			}
		})
	}
}

var testPeriod = NewPeriod(time.Date(2026, 11, 27, 6, 0, 10, 0, time.UTC), 7)

func TestNewPeriodIsTheLastCompleteHour(t *testing.T) {
	assert.Equal(t, time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC), testPeriod.Start)
	assert.Equal(t, time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC), testPeriod.End)
	assert.Equal(t, time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC), testPeriod.BaselineStart)
	assert.Equal(t, 168, testPeriod.BaselineHours())
}

func TestQueriesRestrictTheScanToTheDatePartitions(t *testing.T) {
	qs := Queries("ctap_test", "cloudtrail", testPeriod, defaults)
	require.Len(t, qs, 6)
	for name, sql := range qs {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, sql, `FROM "ctap_test"."cloudtrail"`)
			assert.Regexp(t, `"date" BETWEEN '2026/11/(20|27)' AND '2026/11/27'`, sql, "every query prunes by the date partition")
			assert.Contains(t, sql, "from_iso8601_timestamp('2026-11-27T06:00:00Z')", "and stops at the end of the hour")
			assert.Equal(t, strings.Count(sql, "("), strings.Count(sql, ")"), "balanced parentheses")
		})
	}
	assert.Contains(t, qs[QueryAccessDenied], "HAVING count(*) >= 20")
	assert.Contains(t, qs[QueryBulkReads], "HAVING count(*) >= 100")
	assert.Contains(t, qs[QueryPrincipalVolume], "GROUP BY 1, 2, 3")
	assert.Contains(t, qs[QueryAccountVolume], "GROUP BY 1, 2\n")
	// The current-hour-only queries scan one day's partitions, not eight.
	assert.Contains(t, qs[QueryAccessDenied], `"date" BETWEEN '2026/11/27' AND '2026/11/27'`)

	midnight := NewPeriod(time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC), 7)
	assert.Contains(t, Queries("d", "t", midnight, defaults)[QueryBulkReads], `"date" BETWEEN '2026/11/30' AND '2026/11/30'`,
		"the hour 23:00-24:00 lives in the previous day's partition")
}

func TestScoreTurnsRowsIntoAnomalies(t *testing.T) {
	sum, sq := baseline(repeat(168, 10)...)
	cases := []struct {
		name     string
		query    string
		rows     []map[string]string
		allowed  []string
		wantRule []string
		wantSev  finding.Severity
		wantErrs int
	}{
		{"principal volume spike", QueryPrincipalVolume, []map[string]string{
			{"principal_arn": "arn:aws:iam::1:user/a", "account_id": "1", "current_count": "500", "baseline_sum": fmt.Sprint(sum), "baseline_sumsq": fmt.Sprint(sq)},
			{"principal_arn": "arn:aws:iam::1:user/b", "account_id": "1", "current_count": "12", "baseline_sum": fmt.Sprint(sum), "baseline_sumsq": fmt.Sprint(sq)},
		}, nil, []string{RulePrincipalVolume.ID}, finding.Medium, 0},
		{"account volume spike", QueryAccountVolume, []map[string]string{{"account_id": "1", "current_count": "500", "baseline_sum": fmt.Sprint(sum), "baseline_sumsq": fmt.Sprint(sq)}}, nil, []string{RuleAccountVolume.ID}, finding.Medium, 0},
		{"unparseable counts are errors, not zeros", QueryAccountVolume, []map[string]string{{"account_id": "1", "current_count": "", "baseline_sum": "1", "baseline_sumsq": "1"}}, nil, nil, "", 1},
		{"access denied burst at the threshold", QueryAccessDenied, []map[string]string{{"principal_arn": "p", "account_id": "1", "denied_count": "20", "event_names": "ListUsers"}, {"principal_arn": "q", "account_id": "1", "denied_count": "19"}}, nil, []string{RuleAccessDenied.ID}, finding.High, 0},
		{"first region inside the allow-list", QueryNewRegions, []map[string]string{{"account_id": "1", "region": "eu-west-1", "current_count": "3", "baseline_count": "0"}}, []string{"eu-west-1"}, []string{RuleNewRegion.ID}, finding.Medium, 0},
		{"first region outside the allow-list is high", QueryNewRegions, []map[string]string{{"account_id": "1", "region": "ap-east-1", "current_count": "3", "baseline_count": "0"}}, []string{"eu-west-1"}, []string{RuleNewRegion.ID}, finding.High, 0},
		{"a region used before is not new", QueryNewRegions, []map[string]string{{"account_id": "1", "region": "eu-west-1", "current_count": "3", "baseline_count": "5"}}, nil, nil, "", 0},
		{"console sign-in from a new source", QueryConsoleSources, []map[string]string{{"principal_arn": "p", "account_id": "1", "source_ip": "203.0.113.9", "current_count": "1", "baseline_count": "0", "principal_baseline_logins": "14"}}, nil, []string{RuleConsoleSource.ID}, finding.Medium, 0},
		{"bulk reads split by service", QueryBulkReads, []map[string]string{
			{"principal_arn": "p", "account_id": "1", "event_source": "s3.amazonaws.com", "event_name": "GetObject", "read_count": "5000", "distinct_targets": "3"},
			{"principal_arn": "p", "account_id": "1", "event_source": "secretsmanager.amazonaws.com", "event_name": "GetSecretValue", "read_count": "100", "distinct_targets": "90"},
			{"principal_arn": "q", "account_id": "1", "event_source": "s3.amazonaws.com", "event_name": "GetObject", "read_count": "99"},
		}, nil, []string{RuleBulkS3Read.ID, RuleBulkSecretRead.ID}, finding.High, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := Score(tc.query, tc.rows, testPeriod, defaults, tc.allowed)
			assert.Len(t, errs, tc.wantErrs)
			var rules []string
			for _, a := range got {
				rules = append(rules, a.Rule.ID)
				f := a.Finding(testPeriod, testPeriod.End, 90*24*time.Hour)
				assert.Equal(t, tc.wantSev, f.Severity)
				assert.NotEmpty(t, f.Summary)
				assert.JSONEq(t, `"`+testPeriod.Start.Format(time.RFC3339)+`"`, `"`+f.EventTime+`"`)
			}
			assert.Equal(t, tc.wantRule, rules)
		})
	}
}

func TestAnomalyFindingIDsAreDeterministicPerRuleAccountHourAndKey(t *testing.T) {
	a := Anomaly{Rule: RuleAccessDenied, AccountID: "1", Principal: "p", Key: "p"}
	f1 := a.Finding(testPeriod, time.Now(), time.Hour)
	f2 := a.Finding(testPeriod, time.Now().Add(time.Hour), time.Hour)
	assert.Equal(t, f1.FindingID, f2.FindingID, "a re-run over the same hour gives the same ID")
	assert.Equal(t, finding.AggregateID(RuleAccessDenied.ID, "1", "2026-11-27T05:00:00Z/1h/p"), f1.FindingID)

	next := a.Finding(NewPeriod(testPeriod.End.Add(time.Hour), 7), time.Now(), time.Hour)
	assert.NotEqual(t, f1.FindingID, next.FindingID, "the next hour is a new window")
	other := Anomaly{Rule: RuleAccessDenied, AccountID: "1", Principal: "q", Key: "q"}.Finding(testPeriod, time.Now(), time.Hour)
	assert.NotEqual(t, f1.FindingID, other.FindingID, "each principal has its own window")
}

type fakeRunner struct {
	rows map[string][]map[string]string
	fail map[string]error
	mu   sync.Mutex
	sqls map[string]string
}

func (r *fakeRunner) Run(_ context.Context, name, sql string) (*athena.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sqls == nil {
		r.sqls = map[string]string{}
	}
	r.sqls[name] = sql
	if err := r.fail[name]; err != nil {
		return nil, err
	}
	return &athena.Result{Rows: r.rows[name]}, nil
}

type memWriter struct {
	byID map[string]finding.Finding
	err  error
}

func (w *memWriter) Put(_ context.Context, f finding.Finding) (bool, error) {
	if w.err != nil {
		return false, w.err
	}
	if w.byID == nil {
		w.byID = map[string]finding.Finding{}
	}
	if _, ok := w.byID[f.FindingID]; ok {
		return false, nil
	}
	w.byID[f.FindingID] = f
	return true, nil
}

func newDetector(r QueryRunner, w FindingWriter) *Detector {
	return &Detector{Runner: r, Writer: w, Database: "ctap_test", Table: "cloudtrail", Thresholds: defaults, Retention: 90 * 24 * time.Hour,
		Now: func() time.Time { return time.Date(2026, 11, 27, 6, 3, 0, 0, time.UTC) }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

func TestDetectorStoresAnomaliesAndReRunsDoNotDuplicate(t *testing.T) {
	runner := &fakeRunner{rows: map[string][]map[string]string{
		QueryAccessDenied: {{"principal_arn": "p", "account_id": "1", "denied_count": "40"}},
		QueryBulkReads:    {{"principal_arn": "p", "account_id": "1", "event_source": "s3.amazonaws.com", "event_name": "GetObject", "read_count": "900"}},
	}}
	w := &memWriter{}
	d := newDetector(runner, w)
	sched := events.CloudWatchEvent{DetailType: "Scheduled Event", Time: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
	res, err := d.Handle(context.Background(), sched)
	require.NoError(t, err)
	assert.Equal(t, Result{WindowStart: "2026-11-27T05:00:00Z", Anomalies: 2, Created: 2, FailedQueries: []string{}}, res)
	assert.Len(t, runner.sqls, 6, "every query ran")

	again, err := d.Handle(context.Background(), sched)
	require.NoError(t, err)
	assert.Equal(t, 0, again.Created, "the same hour again finds the same IDs")
	assert.Len(t, w.byID, 2)
}

func TestDetectorKeepsGoingWhenAQueryFailsAndThenReportsIt(t *testing.T) {
	runner := &fakeRunner{
		rows: map[string][]map[string]string{QueryAccessDenied: {{"principal_arn": "p", "account_id": "1", "denied_count": "40"}}},
		fail: map[string]error{QueryPrincipalVolume: fmt.Errorf("query: %w", athena.ErrScanLimit)},
	}
	w := &memWriter{}
	res, err := newDetector(runner, w).Handle(context.Background(), events.CloudWatchEvent{})
	require.Error(t, err)
	assert.ErrorIs(t, err, athena.ErrScanLimit)
	assert.Equal(t, []string{QueryPrincipalVolume}, res.FailedQueries)
	assert.Len(t, w.byID, 1, "the other queries' anomalies are stored")

	_, err = newDetector(runner, &memWriter{err: errors.New("throttled")}).Handle(context.Background(), events.CloudWatchEvent{})
	assert.ErrorContains(t, err, "throttled")
}

func TestLoadConfigNamesEveryBadVariable(t *testing.T) {
	_, err := LoadConfig(config.FromMap(map[string]string{
		"ATHENA_DATABASE":       "ctap-test; DROP",
		"ANOMALY_ZSCORE":        "NaN",
		"ANOMALY_MIN_CALLS":     "0",
		"ANOMALY_BASELINE_DAYS": "seven",
	}))
	require.Error(t, err)
	var cerr *config.Error
	require.ErrorAs(t, err, &cerr)
	assert.ElementsMatch(t, []string{"FINDINGS_TABLE", "ATHENA_WORKGROUP", "ATHENA_DATABASE", "ANOMALY_ZSCORE", "ANOMALY_MIN_CALLS", "ANOMALY_BASELINE_DAYS"}, cerr.Names())

	c, err := LoadConfig(config.FromMap(map[string]string{"FINDINGS_TABLE": "f", "ATHENA_WORKGROUP": "wg", "ATHENA_DATABASE": "ctap_test", "ALLOWED_REGIONS": "us-east-1, eu-west-1"}))
	require.NoError(t, err)
	assert.Equal(t, defaults, c.Thresholds)
	assert.Equal(t, "cloudtrail", c.Table)
	assert.Equal(t, []string{"us-east-1", "eu-west-1"}, c.AllowedRegions)
	assert.Equal(t, 300*time.Second, c.QueryTimeout)
}
