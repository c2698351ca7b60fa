package detect

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// DefaultRetention is how long findings live before DynamoDB's TTL removes
// them (FINDINGS_TTL_DAYS defaults to 90).
const DefaultRetention = 90 * 24 * time.Hour

// DefaultMaxWindows bounds how many aggregate windows one Session tracks.
const DefaultMaxWindows = 1 << 16

// Options configure an Engine.
type Options struct {
	// Now stamps detected_at; time.Now when nil. Tests pin it.
	Now func() time.Time
	// Retention sets expires_at = detected_at + Retention (default 90 days).
	Retention time.Duration
	// MaxWindows bounds the aggregate windows a Session keeps (default
	// DefaultMaxWindows); see Session for the eviction policy.
	MaxWindows int
}

// Engine runs a rule set. It is immutable once built and safe to share.
type Engine struct {
	rules      []Rule
	byName     map[string][]int // base event name -> rule indexes
	generic    []int            // rules without EventNames: evaluated on every event
	now        func() time.Time
	retention  time.Duration
	maxWindows int
}

// NewEngine indexes rules by event name. Rules are used as given: check a
// custom rule set with Validate first.
func NewEngine(rules []Rule, opts Options) *Engine {
	e := &Engine{
		rules:      slices.Clone(rules),
		byName:     make(map[string][]int),
		now:        opts.Now,
		retention:  opts.Retention,
		maxWindows: opts.MaxWindows,
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.retention <= 0 {
		e.retention = DefaultRetention
	}
	if e.maxWindows <= 0 {
		e.maxWindows = DefaultMaxWindows
	}
	for i := range e.rules {
		names := e.rules[i].EventNames
		if len(names) == 0 {
			e.generic = append(e.generic, i)
			continue
		}
		for _, n := range names {
			if !slices.Contains(e.byName[n], i) {
				e.byName[n] = append(e.byName[n], i)
			}
		}
	}
	return e
}

// Rules returns the engine's rules (a copy of the slice).
func (e *Engine) Rules() []Rule { return slices.Clone(e.rules) }

// NewSession starts a detection session. Aggregate counts live in the
// session: use one per Lambda invocation, or one across a whole local
// replay so that windows span files.
func (e *Engine) NewSession() *Session {
	return &Session{e: e, windows: make(map[windowKey]*windowState)}
}

// Session processes events and remembers aggregate windows.
//
// It is safe for concurrent use: single-event rules touch no shared state,
// and aggregate counting takes one mutex, only for events that match an
// aggregate rule.
//
// Memory is bounded by Options.MaxWindows window states (each a few hundred
// bytes). When a new window would exceed the bound, the half of the windows
// with the oldest start times is dropped. Eviction is by count rather than
// by "newest event time minus N windows" because a parallel replay reads
// files from different days at the same time: a time horizon would discard
// windows that are still filling. A window that is evicted and seen again
// restarts its count: it can under-count, or report again under the same
// deterministic finding ID, which the store de-duplicates.
type Session struct {
	e       *Engine
	mu      sync.Mutex
	windows map[windowKey]*windowState
}

type windowKey struct {
	rule    int
	account string
	key     string
	start   int64 // Unix seconds of the aligned window start
}

type windowState struct {
	count int
	fired bool
}

// Process runs every rule over ev. It returns the single-event findings and
// any aggregate finding whose window has just reached its threshold (once
// per window). It never panics on any event; a nil event yields nothing.
//
// An aggregate finding's ID depends only on the rule, account, key and
// window; its event fields and evidence are those of the event that reached
// the threshold, which depends on arrival order in a parallel replay.
func (s *Session) Process(ev *cloudtrail.Event) []finding.Finding {
	if ev == nil {
		return nil
	}
	e := s.e
	var out []finding.Finding
	for _, i := range e.byName[BaseEventName(ev.EventName)] {
		out = s.apply(out, i, ev)
	}
	for _, i := range e.generic {
		out = s.apply(out, i, ev)
	}
	return out
}

func (s *Session) apply(out []finding.Finding, i int, ev *cloudtrail.Event) []finding.Finding {
	r := &s.e.rules[i]
	if r.EventSource != "" && ev.EventSource != r.EventSource {
		return out
	}
	if r.Match != nil && !r.Match(ev) {
		return out
	}
	if r.Aggregate == nil {
		return append(out, s.e.single(r, ev))
	}
	if f, ok := s.count(i, r, ev); ok {
		out = append(out, f)
	}
	return out
}

// count adds ev to its window and reports the aggregate finding when the
// window reaches the threshold. Events without a parseable time cannot be
// placed in a window deterministically and are not counted.
func (s *Session) count(i int, r *Rule, ev *cloudtrail.Event) (finding.Finding, bool) {
	t := ev.Time()
	if t.IsZero() {
		return finding.Finding{}, false
	}
	a := r.Aggregate
	start := a.WindowStart(t)
	key := ""
	if a.Key != nil {
		key = a.Key(ev)
	}
	k := windowKey{rule: i, account: ev.AccountID(), key: key, start: start.Unix()}

	s.mu.Lock()
	st := s.windows[k]
	if st == nil {
		if len(s.windows) >= s.e.maxWindows {
			s.evictLocked()
		}
		st = &windowState{}
		// Event strings may share memory with the record's Raw bytes (the
		// reader's fast decoder does that): clone the map key so that a
		// window does not keep a whole record alive.
		k.account, k.key = strings.Clone(k.account), strings.Clone(k.key)
		s.windows[k] = st
	}
	st.count++
	fire := !st.fired && st.count >= a.Threshold
	if fire {
		st.fired = true
	}
	n := st.count
	s.mu.Unlock()

	if !fire {
		return finding.Finding{}, false
	}
	return s.e.aggregate(r, ev, k.account, key, start, n), true
}

// evictLocked drops the half of the windows that started earliest.
func (s *Session) evictLocked() {
	starts := make([]int64, 0, len(s.windows))
	for k := range s.windows {
		starts = append(starts, k.start)
	}
	slices.Sort(starts)
	cut := starts[len(starts)/2]
	for k := range s.windows {
		if k.start < cut {
			delete(s.windows, k)
		}
	}
	if len(s.windows) >= s.e.maxWindows { // all in one start: drop them all
		clear(s.windows)
	}
}

// Windows reports how many aggregate windows the session currently holds.
func (s *Session) Windows() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.windows)
}

// WindowLabel is the window part of an aggregate finding ID:
// "<window start RFC3339>/<window duration>/<key>".
func WindowLabel(start time.Time, window time.Duration, key string) string {
	return start.UTC().Format(time.RFC3339) + "/" + window.String() + "/" + key
}

func (e *Engine) base(r *Rule, ev *cloudtrail.Event) finding.Finding {
	now := e.now().UTC()
	return finding.Finding{
		RuleID:       r.ID,
		Title:        r.Title,
		Severity:     r.Severity,
		AccountID:    ev.AccountID(),
		Region:       ev.AWSRegion,
		EventTime:    normalTime(ev),
		DetectedAt:   now.Format(time.RFC3339),
		EventID:      ev.EventID,
		EventName:    ev.EventName,
		EventSource:  ev.EventSource,
		PrincipalARN: ev.PrincipalARN(),
		SourceIP:     ev.SourceIPAddress,
		Evidence:     finding.TrimEvidence(ev.Raw),
		Tactic:       r.Tactic,
		Technique:    r.Technique,
		References:   slices.Clone(r.References),
		ExpiresAt:    now.Add(e.retention).Unix(),
	}
}

func (e *Engine) single(r *Rule, ev *cloudtrail.Event) finding.Finding {
	f := e.base(r, ev)
	f.FindingID = finding.ID(r.ID, ev.EventID)
	f.Summary = summary(ev)
	return f
}

func (e *Engine) aggregate(r *Rule, ev *cloudtrail.Event, account, key string, start time.Time, n int) finding.Finding {
	a := r.Aggregate
	f := e.base(r, ev)
	f.FindingID = finding.AggregateID(r.ID, account, WindowLabel(start, a.Window, key))
	group := key
	if group == "" {
		group = "account " + account
	}
	f.Summary = fmt.Sprintf("%s: %d matching events from %s in the %s window starting %s (threshold %d); latest: %s",
		r.Title, n, group, a.Window, start.UTC().Format(time.RFC3339), a.Threshold, summary(ev))
	return f
}

// normalTime is eventTime as RFC 3339 UTC; the raw text when it does not
// parse, so that nothing is lost.
func normalTime(ev *cloudtrail.Event) string {
	if t := ev.Time(); !t.IsZero() {
		return t.Format(time.RFC3339)
	}
	return ev.EventTime
}
