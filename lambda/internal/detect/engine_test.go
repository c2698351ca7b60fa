package detect

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

func TestProcess_SingleEventFindingHasEveryField(t *testing.T) {
	e := NewEngine(Catalogue(), Options{Now: fixedNow, Retention: 48 * time.Hour})
	rec := ev(`{"userIdentity":` + root + `,"eventTime":"2026-01-15T10:02:03.456Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":{"name":"management-trail"}}`)
	event, err := cloudtrail.ParseRecord([]byte(rec))
	require.NoError(t, err)

	got := byRule(e.NewSession().Process(event))
	require.Contains(t, got, "evasion-stop-logging")
	require.Contains(t, got, "cis-4.3-root-usage", "root usage fires alongside")
	require.Contains(t, got, "cis-4.5-cloudtrail-config-change")

	f := got["evasion-stop-logging"]
	assert.Equal(t, finding.ID("evasion-stop-logging", event.EventID), f.FindingID)
	assert.Equal(t, "CloudTrail logging stopped", f.Title)
	assert.Equal(t, finding.Critical, f.Severity)
	assert.Equal(t, "111122223333", f.AccountID)
	assert.Equal(t, "us-east-1", f.Region)
	assert.Equal(t, "2026-01-15T10:02:03Z", f.EventTime, "normalised to RFC 3339 UTC")
	assert.Equal(t, "2026-01-15T12:00:00Z", f.DetectedAt)
	assert.Equal(t, event.EventID, f.EventID)
	assert.Equal(t, "StopLogging", f.EventName)
	assert.Equal(t, "cloudtrail.amazonaws.com", f.EventSource)
	assert.Equal(t, "arn:aws:iam::111122223333:root", f.PrincipalARN)
	assert.Equal(t, "203.0.113.9", f.SourceIP)
	assert.Equal(t, "root user called StopLogging on management-trail in 111122223333/us-east-1 from 203.0.113.9", f.Summary)
	assert.JSONEq(t, rec, string(f.Evidence))
	assert.Equal(t, "Defense Evasion", f.Tactic)
	assert.Equal(t, "T1562.008", f.Technique)
	assert.Equal(t, []string{"CIS 4.5", "ATT&CK T1562.008"}, f.References)
	assert.Equal(t, testNow.Add(48*time.Hour).Unix(), f.ExpiresAt)
}

func TestProcess_AccountFallsBackToCallerAccount(t *testing.T) {
	e := NewEngine(Catalogue(), Options{Now: fixedNow})
	event := mutate(t, ruleByID(t, "evasion-delete-trail").Examples.Positive, func(m map[string]any) {
		delete(m, "recipientAccountId")
	})
	got := byRule(e.NewSession().Process(event))
	assert.Equal(t, "111122223333", got["evasion-delete-trail"].AccountID)
}

func TestProcess_KeepsUnparseableTimeAndDefaultsRetention(t *testing.T) {
	e := NewEngine(Catalogue(), Options{Now: fixedNow})
	event := mutate(t, ruleByID(t, "evasion-delete-trail").Examples.Positive, func(m map[string]any) {
		m["eventTime"] = "yesterday"
	})
	f := byRule(e.NewSession().Process(event))["evasion-delete-trail"]
	assert.Equal(t, "yesterday", f.EventTime, "nothing is lost")
	assert.Equal(t, testNow.Add(DefaultRetention).Unix(), f.ExpiresAt)
}

func TestProcess_FailedCallSummarySaysSo(t *testing.T) {
	e := NewEngine(Catalogue(), Options{Now: fixedNow})
	event := mutate(t, ruleByID(t, "cis-4.1-unauthorized-api-call").Examples.Positive, func(map[string]any) {})
	f := byRule(e.NewSession().Process(event))["cis-4.1-unauthorized-api-call"]
	assert.Equal(t, "IAM user alice called DescribeInstances in 111122223333/us-east-1 from 203.0.113.9 (failed: Client.UnauthorizedOperation)", f.Summary)
}

func TestProcess_NilAndEmptyEvents(t *testing.T) {
	s := NewEngine(Catalogue(), Options{}).NewSession()
	assert.Nil(t, s.Process(nil))
	assert.Empty(t, s.Process(&cloudtrail.Event{}))
}

func TestEngine_RulesReturnsACopy(t *testing.T) {
	e := NewEngine(Catalogue(), Options{})
	rules := e.Rules()
	rules[0].ID = "changed"
	assert.NotEqual(t, "changed", e.Rules()[0].ID)
}

// --- aggregates ------------------------------------------------------------

// burstRule is a small aggregate rule for engine tests: 3 denied calls per
// principal per 10 minutes.
func burstRule() Rule {
	return Rule{
		ID: "test-burst", Title: "test burst", Severity: finding.High, Tactic: "Discovery", Technique: "T1580",
		References: []string{"test"}, Description: "test",
		Match:     func(e *cloudtrail.Event) bool { return e.IsAccessDenied() },
		Aggregate: &Aggregate{Threshold: 3, Window: 10 * time.Minute, Key: principalKey},
	}
}

// denied builds a denied call by principal at time t with a unique ID.
func denied(t testing.TB, principal, account string, at time.Time, id int) *cloudtrail.Event {
	t.Helper()
	rec := fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::%[2]s:user/%[1]s","accountId":"%[2]s"},`+
		`"eventTime":%[3]q,"eventSource":"iam.amazonaws.com","eventName":"ListRoles","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1",`+
		`"errorCode":"AccessDenied","eventID":"ev-%06[4]d","recipientAccountId":"%[2]s"}`, principal, account, at.UTC().Format(time.RFC3339), id)
	event, err := cloudtrail.ParseRecord([]byte(rec))
	require.NoError(t, err)
	return event
}

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func TestAggregate_FiresExactlyOncePerWindow(t *testing.T) {
	e := NewEngine([]Rule{burstRule()}, Options{Now: fixedNow})
	s := e.NewSession()

	// Two events: below threshold.
	assert.Empty(t, s.Process(denied(t, "mallory", "111122223333", t0.Add(1*time.Minute), 1)))
	assert.Empty(t, s.Process(denied(t, "mallory", "111122223333", t0.Add(2*time.Minute), 2)))

	// Third reaches it: one finding, with the deterministic window ID.
	third := denied(t, "mallory", "111122223333", t0.Add(9*time.Minute), 3)
	got := s.Process(third)
	require.Len(t, got, 1)
	key := "arn:aws:iam::111122223333:user/mallory"
	wantID := finding.AggregateID("test-burst", "111122223333", "2026-01-15T10:00:00Z/10m0s/"+key)
	assert.Equal(t, wantID, got[0].FindingID)
	assert.Equal(t, third.EventID, got[0].EventID, "evidence is the triggering event")
	assert.JSONEq(t, string(third.Raw), string(got[0].Evidence))
	assert.Contains(t, got[0].Summary, "3 matching events from "+key+" in the 10m0s window starting 2026-01-15T10:00:00Z")

	// More in the same window: nothing new.
	for i := 4; i < 10; i++ {
		assert.Empty(t, s.Process(denied(t, "mallory", "111122223333", t0.Add(9*time.Minute), i)))
	}

	// Next aligned window: counts again from zero, fires again with a new ID.
	var next []finding.Finding
	for i := 10; i < 13; i++ {
		next = append(next, s.Process(denied(t, "mallory", "111122223333", t0.Add(10*time.Minute+time.Duration(i)*time.Second), i))...)
	}
	require.Len(t, next, 1)
	assert.NotEqual(t, wantID, next[0].FindingID)
	assert.Equal(t, finding.AggregateID("test-burst", "111122223333", "2026-01-15T10:10:00Z/10m0s/"+key), next[0].FindingID)
}

func TestAggregate_KeysAndAccountsCountSeparately(t *testing.T) {
	s := NewEngine([]Rule{burstRule()}, Options{Now: fixedNow}).NewSession()
	var got []finding.Finding
	id := 0
	for _, who := range []string{"a", "b"} {
		for _, acct := range []string{"111122223333", "210987654321"} {
			for range 2 { // 2 < threshold for each (principal, account)
				id++
				got = append(got, s.Process(denied(t, who, acct, t0, id))...)
			}
		}
	}
	assert.Empty(t, got)
}

func TestAggregate_EventsWithoutTimeAreNotCounted(t *testing.T) {
	s := NewEngine([]Rule{burstRule()}, Options{Now: fixedNow}).NewSession()
	for i := range 10 {
		event := denied(t, "m", "111122223333", t0, i)
		event.EventTime = ""
		assert.Empty(t, s.Process(event))
	}
	assert.Zero(t, s.Windows())
}

func TestAggregate_ConcurrentSessionReportsOnce(t *testing.T) {
	const workers, perWorker = 8, 50
	s := NewEngine(Catalogue(), Options{Now: fixedNow}).NewSession()
	var (
		mu  sync.Mutex
		all []finding.Finding
		wg  sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				// Every worker hits the same two windows of the same principal.
				at := t0.Add(time.Duration(i%2) * 10 * time.Minute)
				got := s.Process(denied(t, "mallory", "111122223333", at, w*perWorker+i))
				mu.Lock()
				all = append(all, got...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	counts := map[string]int{}
	for _, f := range all {
		if f.RuleID == "discovery-access-denied-burst" {
			counts[f.FindingID]++
		}
	}
	assert.Len(t, counts, 2, "one finding per window")
	for id, n := range counts {
		assert.Equal(t, 1, n, "finding %s reported %d times", id, n)
	}
}

func TestAggregate_DeterministicAcrossRunsAndOrder(t *testing.T) {
	events := attackMix(t)
	ids := func(evs []*cloudtrail.Event) []string {
		s := NewEngine(Catalogue(), Options{Now: fixedNow}).NewSession()
		var out []string
		for _, ev := range evs {
			for _, f := range s.Process(ev) {
				out = append(out, f.FindingID)
			}
		}
		sort.Strings(out)
		return out
	}
	first := ids(events)
	require.NotEmpty(t, first)
	assert.Equal(t, first, ids(events), "same input, same IDs")

	shuffled := append([]*cloudtrail.Event(nil), events...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	assert.Equal(t, first, ids(shuffled), "order does not change IDs")
}

// TestAggregate_AcrossBatches pins how windows behave across sessions: a
// session is the unit of counting. One session over two batches sees the
// whole window; two sessions (two Lambda invocations) that each stay below
// the threshold see nothing (the hourly anomaly detector covers that case);
// two sessions that each reach it report the same ID, which the store
// de-duplicates.
func TestAggregate_AcrossBatches(t *testing.T) {
	e := NewEngine([]Rule{burstRule()}, Options{Now: fixedNow})
	batch1 := []*cloudtrail.Event{denied(t, "m", "111122223333", t0, 1), denied(t, "m", "111122223333", t0.Add(time.Minute), 2)}
	batch2 := []*cloudtrail.Event{denied(t, "m", "111122223333", t0.Add(2*time.Minute), 3), denied(t, "m", "111122223333", t0.Add(3*time.Minute), 4)}

	run := func(s *Session, evs []*cloudtrail.Event) (out []finding.Finding) {
		for _, ev := range evs {
			out = append(out, s.Process(ev)...)
		}
		return out
	}

	one := e.NewSession()
	together := append(run(one, batch1), run(one, batch2)...)
	require.Len(t, together, 1, "one session spanning both batches")

	assert.Empty(t, run(e.NewSession(), batch1))
	assert.Empty(t, run(e.NewSession(), batch2))

	full := append(append([]*cloudtrail.Event(nil), batch1...), batch2...)
	a, b := run(e.NewSession(), full), run(e.NewSession(), full)
	require.Len(t, a, 1)
	require.Len(t, b, 1)
	assert.Equal(t, together[0].FindingID, a[0].FindingID)
	assert.Equal(t, a[0].FindingID, b[0].FindingID)
}

func TestSession_MemoryIsBounded(t *testing.T) {
	s := NewEngine([]Rule{burstRule()}, Options{Now: fixedNow, MaxWindows: 100}).NewSession()
	for i := range 10_000 {
		// A new principal each time: every event opens a window.
		s.Process(denied(t, fmt.Sprintf("p%d", i), "111122223333", t0.Add(time.Duration(i)*time.Second), i))
		require.LessOrEqual(t, s.Windows(), 100)
	}
	// The newest windows survive eviction and keep counting.
	var got []finding.Finding
	for i := range 3 {
		got = append(got, s.Process(denied(t, "p9999", "111122223333", t0.Add(9999*time.Second), 20_000+i))...)
	}
	assert.Len(t, got, 1)
}

// --- helpers ---------------------------------------------------------------

func byRule(fs []finding.Finding) map[string]finding.Finding {
	m := make(map[string]finding.Finding, len(fs))
	for _, f := range fs {
		m[f.RuleID] = f
	}
	return m
}

// attackMix is every rule's positive example (Threshold copies for
// aggregates), as `ctap gen` plants them.
func attackMix(t testing.TB) []*cloudtrail.Event {
	t.Helper()
	var out []*cloudtrail.Event
	for _, r := range Catalogue() {
		pos, err := r.PositiveEvent()
		require.NoError(t, err)
		out = append(out, copies(t, pos, threshold(r))...)
	}
	return out
}

func TestAttackMix_EveryRuleFires(t *testing.T) {
	s := NewEngine(Catalogue(), Options{Now: fixedNow}).NewSession()
	fired := map[string]bool{}
	for _, ev := range attackMix(t) {
		for _, f := range s.Process(ev) {
			fired[f.RuleID] = true
			require.True(t, json.Valid(f.Evidence))
		}
	}
	for _, r := range Catalogue() {
		assert.True(t, fired[r.ID], "rule %s never fired on the planted attacks", r.ID)
	}
}

func TestAggregate_WindowStartAlignsToClock(t *testing.T) {
	a := &Aggregate{Threshold: 2, Window: 10 * time.Minute}
	at := time.Date(2026, 1, 15, 10, 19, 59, 0, time.FixedZone("x", 3600))
	assert.Equal(t, time.Date(2026, 1, 15, 9, 10, 0, 0, time.UTC), a.WindowStart(at))
}
