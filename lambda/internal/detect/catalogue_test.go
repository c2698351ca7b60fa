package detect

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

func TestCatalogue_PassesValidation(t *testing.T) {
	rules := Catalogue()
	require.NoError(t, Validate(rules))
	assert.GreaterOrEqual(t, len(rules), 60, "catalogue size")
}

func TestCatalogue_IsSortedNaturallyAndFresh(t *testing.T) {
	rules := Catalogue()
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	assert.True(t, slices.IsSortedFunc(ids, CompareIDs), "sorted by CompareIDs")
	assert.Less(t, slices.Index(ids, "cis-4.2-console-login-without-mfa"), slices.Index(ids, "cis-4.10-security-group-change"))

	rules[0].ID = "mutated"
	rules[0].References[0] = "mutated"
	again := Catalogue()
	assert.NotEqual(t, "mutated", again[0].ID, "Catalogue must return a fresh copy")
	assert.NotEqual(t, "mutated", again[0].References[0])
}

func TestCatalogue_CoversEveryCISMonitoringControl(t *testing.T) {
	rules := Catalogue()
	for n := 1; n <= 15; n++ {
		prefix := fmt.Sprintf("cis-4.%d-", n)
		ref := fmt.Sprintf("CIS 4.%d", n)
		found := slices.ContainsFunc(rules, func(r Rule) bool {
			return strings.HasPrefix(r.ID, prefix) && slices.Contains(r.References, ref)
		})
		assert.True(t, found, "no rule %s* referencing %s", prefix, ref)
	}
}

func TestCatalogue_CoversEveryTacticFamily(t *testing.T) {
	prefixes := map[string]int{}
	for _, r := range Catalogue() {
		prefixes[strings.SplitN(r.ID, "-", 2)[0]]++
	}
	for _, p := range []string{"cis", "evasion", "persistence", "privesc", "credential", "discovery", "exfiltration", "impact"} {
		assert.Positive(t, prefixes[p], "no %s-* rules", p)
	}
}

// TestCatalogue_ExamplesThroughEngine runs each rule alone in an engine: the
// positive example yields exactly one finding of that rule (Threshold
// copies for aggregate rules) and the negative yields none. This exercises
// the event-name index, not just Rule.Matches.
func TestCatalogue_ExamplesThroughEngine(t *testing.T) {
	for _, r := range Catalogue() {
		t.Run(r.ID, func(t *testing.T) {
			e := NewEngine([]Rule{r}, Options{Now: fixedNow})
			pos, err := r.PositiveEvent()
			require.NoError(t, err)
			neg, err := r.NegativeEvent()
			require.NoError(t, err)

			s := e.NewSession()
			var got []finding.Finding
			for _, ev := range copies(t, pos, threshold(r)) {
				got = append(got, s.Process(ev)...)
			}
			require.Len(t, got, 1, "positive example")
			assert.Equal(t, r.ID, got[0].RuleID)

			s = e.NewSession()
			var none []finding.Finding
			for _, ev := range copies(t, neg, threshold(r)) {
				none = append(none, s.Process(ev)...)
			}
			assert.Empty(t, none, "negative example")
		})
	}
}

// TestCatalogue_IndexAgreesWithMatches checks, over every example of every
// rule, that the full engine reports a single-event rule exactly when
// Rule.Matches says it should: no rule is hidden by a wrong index entry.
func TestCatalogue_IndexAgreesWithMatches(t *testing.T) {
	rules := Catalogue()
	e := NewEngine(rules, Options{Now: fixedNow})
	for _, src := range rules {
		for kind, rec := range map[string]string{"positive": src.Examples.Positive, "negative": src.Examples.Negative} {
			ev, err := cloudtrail.ParseRecord([]byte(rec))
			require.NoError(t, err)
			got := map[string]bool{}
			for _, f := range e.NewSession().Process(ev) {
				got[f.RuleID] = true
			}
			for _, r := range rules {
				if r.Aggregate != nil {
					continue
				}
				assert.Equal(t, r.Matches(ev), got[r.ID], "rule %s on %s example of %s", r.ID, kind, src.ID)
			}
		}
	}
}

// TestCatalogue_PositivesSurviveRewrite is the contract with `ctap gen`: a
// positive example still matches after the generator rewrites eventID,
// eventTime, the account fields and the region.
func TestCatalogue_PositivesSurviveRewrite(t *testing.T) {
	for _, r := range Catalogue() {
		t.Run(r.ID, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.Examples.Positive), &m))
			m["eventID"] = "11111111-2222-4333-8444-555555555555"
			m["eventTime"] = "2025-07-04T23:59:58Z"
			m["recipientAccountId"] = "210987654321"
			m["awsRegion"] = "eu-west-3"
			if u, ok := m["userIdentity"].(map[string]any); ok {
				if _, has := u["accountId"]; has {
					u["accountId"] = "210987654321"
				}
			}
			raw, err := json.Marshal(m)
			require.NoError(t, err)
			ev, err := cloudtrail.ParseRecord(raw)
			require.NoError(t, err)
			assert.True(t, r.Matches(ev))
		})
	}
}

// failureIsTheSignal lists the rules that fire on failed calls by design.
var failureIsTheSignal = map[string]bool{
	"cis-4.1-unauthorized-api-call":        true, // denial is the event
	"cis-4.3-root-usage":                   true, // a failed root call still proves root credentials are in use
	"cis-4.6-console-auth-failure":         true,
	"discovery-access-denied-burst":        true,
	"credential-console-login-brute-force": true,
}

// TestCatalogue_FailedCallsDoNotFire turns every positive example into a
// denied call: only rules whose signal is the failure may still match.
func TestCatalogue_FailedCallsDoNotFire(t *testing.T) {
	for _, r := range Catalogue() {
		t.Run(r.ID, func(t *testing.T) {
			for _, code := range []string{"AccessDenied", "Client.UnauthorizedOperation", "AccessDeniedException", "ValidationException"} {
				ev := mutate(t, r.Examples.Positive, func(m map[string]any) {
					m["errorCode"] = code
					m["errorMessage"] = "failed"
				})
				if failureIsTheSignal[r.ID] {
					continue
				}
				assert.False(t, r.Matches(ev), "fired on a call that failed with %s", code)
			}
		})
	}
}

// TestCatalogue_SurvivesOddShapes feeds every example with
// requestParameters/responseElements/additionalEventData replaced by every
// JSON kind, and with userIdentity stripped to nothing: no panic, and a
// rule that needs parameters does not fire on null ones.
func TestCatalogue_SurvivesOddShapes(t *testing.T) {
	rules := Catalogue()
	e := NewEngine(rules, Options{Now: fixedNow})
	shapes := []any{nil, "", "text", 0, true, []any{}, []any{nil, 1, "x"}, map[string]any{}, map[string]any{"items": nil}}
	for _, r := range rules {
		for _, rec := range []string{r.Examples.Positive, r.Examples.Negative} {
			for _, shape := range shapes {
				ev := mutate(t, rec, func(m map[string]any) {
					m["requestParameters"] = shape
					m["responseElements"] = shape
					m["additionalEventData"] = shape
				})
				assert.NotPanics(t, func() { e.NewSession().Process(ev) }, "rule %s with %#v", r.ID, shape)
			}
			ev := mutate(t, rec, func(m map[string]any) { m["userIdentity"] = map[string]any{} })
			assert.NotPanics(t, func() { e.NewSession().Process(ev) })
			ev = mutate(t, rec, func(m map[string]any) { delete(m, "userIdentity"); delete(m, "eventTime") })
			assert.NotPanics(t, func() { e.NewSession().Process(ev) })
		}
	}
}

// --- helpers shared by the package's tests ---------------------------------

var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func threshold(r Rule) int {
	if r.Aggregate == nil {
		return 1
	}
	return r.Aggregate.Threshold
}

// copies returns n copies of ev with distinct event IDs, as `ctap gen`
// plants them.
func copies(t testing.TB, ev *cloudtrail.Event, n int) []*cloudtrail.Event {
	t.Helper()
	out := make([]*cloudtrail.Event, n)
	for i := range out {
		c := *ev
		c.EventID = fmt.Sprintf("%s-%04d", ev.EventID, i)
		out[i] = &c
	}
	return out
}

// mutate parses rec, lets fn edit it as a map, and returns the result as an
// Event.
func mutate(t testing.TB, rec string, fn func(map[string]any)) *cloudtrail.Event {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec), &m))
	fn(m)
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	ev, err := cloudtrail.ParseRecord(raw)
	require.NoError(t, err)
	return ev
}

func TestRule_MarshalsAsInfo(t *testing.T) {
	r := ruleByID(t, "discovery-access-denied-burst")
	raw, err := json.Marshal([]Rule{r})
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Len(t, got, 1)
	assert.Equal(t, "discovery-access-denied-burst", got[0]["id"])
	assert.Equal(t, "high", got[0]["severity"])
	assert.Equal(t, float64(20), got[0]["threshold"])
	assert.Equal(t, "10m0s", got[0]["window"])
	assert.NotContains(t, got[0], "event_names", "a rule on every event has no names")

	raw, err = json.Marshal(ruleByID(t, "evasion-stop-logging"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"evasion-stop-logging","title":"CloudTrail logging stopped","severity":"critical","tactic":"Defense Evasion",
		"technique":"T1562.008","references":["CIS 4.5","ATT&CK T1562.008"],"description":"StopLogging succeeded: the trail records nothing until logging is started again.",
		"event_source":"cloudtrail.amazonaws.com","event_names":["StopLogging"]}`, string(raw))
}
