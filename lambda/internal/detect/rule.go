// Package detect holds the detection catalogue (rules as data) and the engine
// that runs it over CloudTrail events, one event at a time, producing
// findings with deterministic IDs.
//
// A rule selects events cheaply by EventSource and EventNames (the engine
// indexes rules by event name, so each event costs one map lookup) and then
// refines the selection with Match. Aggregate rules count matching events per
// (account, key, aligned time window) and fire once when the count reaches
// the threshold.
package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Rule is one detection: metadata, how to select events, and one positive and
// one negative example record.
type Rule struct {
	// ID is stable and lowercase (e.g. "cis-4.3-root-usage"); finding IDs
	// are derived from it, so it never changes once released.
	ID    string
	Title string
	// Severity decides paging: critical for direct logging evasion, root use
	// and public exposure; high for privilege escalation; medium for CIS
	// change monitoring.
	Severity finding.Severity
	// Tactic and Technique are MITRE ATT&CK names and IDs, e.g.
	// "Defense Evasion" and "T1562.008".
	Tactic, Technique string
	// References are standards the rule implements, e.g. "CIS 4.3".
	References  []string
	Description string

	// EventSource, when set, restricts the rule to one service
	// (e.g. "cloudtrail.amazonaws.com").
	EventSource string
	// EventNames, when set, restricts the rule to these base event names
	// (API-version suffixes stripped, see BaseEventName). A rule without
	// EventNames is evaluated on every event, so keep its Match cheap.
	EventNames []string
	// Match refines the selection made by EventSource and EventNames; nil
	// accepts every selected event. Use Rule.Matches for the whole predicate.
	Match func(*cloudtrail.Event) bool

	// Aggregate, when set, makes the rule fire once per window in which
	// Threshold matching events share an account and key.
	Aggregate *Aggregate
	// Examples are CloudTrail records: Positive matches, Negative does not.
	Examples Examples
}

// Aggregate turns a rule into a threshold rule.
type Aggregate struct {
	// Threshold is how many matching events in one window fire the rule.
	Threshold int
	// Window is the bucket size. Windows are aligned (event time truncated
	// to a multiple of Window, see time.Time.Truncate), so that replays are
	// deterministic; a window that divides a day starts on clock boundaries
	// (10m windows start at :00, :10, ...).
	Window time.Duration
	// Key groups events inside an account and window, e.g. by principal
	// ARN; nil groups the whole account.
	Key func(*cloudtrail.Event) string
}

// WindowStart is the start of the aligned window that holds t. Generators
// that plant Threshold events for an aggregate rule keep them all in
// [WindowStart(t), WindowStart(t)+Window).
func (a *Aggregate) WindowStart(t time.Time) time.Time { return t.UTC().Truncate(a.Window) }

// Examples are one record the rule must match and one it must not.
type Examples struct {
	Positive, Negative string
}

// RuleInfo is a rule's metadata without its functions: what `ctap rules`
// prints and what Rule marshals to as JSON.
type RuleInfo struct {
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	Severity    finding.Severity `json:"severity"`
	Tactic      string           `json:"tactic"`
	Technique   string           `json:"technique"`
	References  []string         `json:"references"`
	Description string           `json:"description"`
	EventSource string           `json:"event_source,omitempty"`
	EventNames  []string         `json:"event_names,omitempty"`
	// Threshold and Window are set for aggregate rules only.
	Threshold int    `json:"threshold,omitempty"`
	Window    string `json:"window,omitempty"`
}

// Info returns the rule's metadata.
func (r Rule) Info() RuleInfo {
	info := RuleInfo{
		ID: r.ID, Title: r.Title, Severity: r.Severity, Tactic: r.Tactic, Technique: r.Technique,
		References: slices.Clone(r.References), Description: r.Description,
		EventSource: r.EventSource, EventNames: slices.Clone(r.EventNames),
	}
	if a := r.Aggregate; a != nil {
		info.Threshold, info.Window = a.Threshold, a.Window.String()
	}
	return info
}

// MarshalJSON encodes the rule as its RuleInfo (functions cannot be
// encoded), so that a catalogue can be printed with json.Marshal.
func (r Rule) MarshalJSON() ([]byte, error) { return json.Marshal(r.Info()) }

// Matches reports whether ev is selected by the rule's EventSource and
// EventNames and accepted by its Match. For an aggregate rule it says
// whether ev counts towards the threshold.
func (r Rule) Matches(ev *cloudtrail.Event) bool {
	if ev == nil {
		return false
	}
	if r.EventSource != "" && ev.EventSource != r.EventSource {
		return false
	}
	if len(r.EventNames) > 0 && !slices.Contains(r.EventNames, BaseEventName(ev.EventName)) {
		return false
	}
	return r.Match == nil || r.Match(ev)
}

// PositiveEvent parses Examples.Positive into an Event (with Raw set), for
// generators that plant the rule's attack and for tests.
func (r Rule) PositiveEvent() (*cloudtrail.Event, error) {
	ev, err := cloudtrail.ParseRecord([]byte(r.Examples.Positive))
	if err != nil {
		return nil, fmt.Errorf("rule %s: positive example: %w", r.ID, err)
	}
	return ev, nil
}

// NegativeEvent parses Examples.Negative into an Event (with Raw set).
func (r Rule) NegativeEvent() (*cloudtrail.Event, error) {
	ev, err := cloudtrail.ParseRecord([]byte(r.Examples.Negative))
	if err != nil {
		return nil, fmt.Errorf("rule %s: negative example: %w", r.ID, err)
	}
	return ev, nil
}

var (
	ruleIDPattern    = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9.]+)+$`)
	techniquePattern = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
)

// Validate checks a rule set the way the catalogue test does: unique,
// well-formed IDs; complete metadata; valid severity and aggregate
// settings; examples that parse, where the positive matches and the
// negative does not. It returns every problem, joined.
func Validate(rules []Rule) error {
	var errs []error
	seen := make(map[string]bool, len(rules))
	for i := range rules {
		r := &rules[i]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("rule %d (%q): %s", i, r.ID, fmt.Sprintf(format, args...)))
		}
		if !ruleIDPattern.MatchString(r.ID) {
			bad("id must be lowercase words joined by '-'")
		}
		if seen[r.ID] {
			bad("duplicate id")
		}
		seen[r.ID] = true
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Description) == "" || strings.TrimSpace(r.Tactic) == "" {
			bad("title, description and tactic are required")
		}
		if !techniquePattern.MatchString(r.Technique) {
			bad("technique %q is not an ATT&CK ID like T1562.008", r.Technique)
		}
		if len(r.References) == 0 {
			bad("at least one reference is required")
		}
		if r.Severity.Rank() < 0 {
			bad("invalid severity %q", r.Severity)
		}
		for _, n := range r.EventNames {
			if n == "" || BaseEventName(n) != n {
				bad("event name %q must be a base name without API-version suffix", n)
			}
		}
		if a := r.Aggregate; a != nil {
			if a.Threshold < 2 || a.Window <= 0 {
				bad("aggregate needs threshold >= 2 and a positive window")
			}
		}
		pos, err := r.PositiveEvent()
		if err != nil {
			bad("%v", err)
		} else if !r.Matches(pos) {
			bad("positive example does not match")
		}
		neg, err := r.NegativeEvent()
		if err != nil {
			bad("%v", err)
		} else if r.Matches(neg) {
			bad("negative example matches")
		}
	}
	return errors.Join(errs...)
}
