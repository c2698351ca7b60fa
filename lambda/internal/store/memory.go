package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Memory is a thread-safe in-memory store with the same duplicate semantics
// as DynamoDB. Opened with OpenFile, it also appends every new finding to an
// NDJSON file and loads that file first, so repeated local runs deduplicate
// across runs just as the deployed table does.
type Memory struct {
	mu      sync.RWMutex
	byID    map[string]finding.Finding
	alerted map[string]time.Time

	file *os.File
	w    *bufio.Writer
	path string
}

// NewMemory returns an empty store that lives only in memory.
func NewMemory() *Memory {
	return &Memory{byID: map[string]finding.Finding{}, alerted: map[string]time.Time{}}
}

// OpenFile returns a store persisted to path (NDJSON, one finding a line),
// creating the file when missing. Findings already in the file are loaded;
// a line that is not a finding fails with its line number, because silently
// dropping stored findings would make later runs re-report them as new.
// Close flushes the file.
func OpenFile(path string) (*Memory, error) {
	m := NewMemory()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open findings store: %w", err)
	}
	if err := m.load(f, path); err != nil {
		f.Close()
		return nil, err
	}
	m.file, m.path = f, path
	m.w = bufio.NewWriter(f)
	return m, nil
}

func (m *Memory) load(r io.Reader, path string) error {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var f finding.Finding
			if jerr := json.Unmarshal(b, &f); jerr != nil || f.FindingID == "" {
				if jerr == nil {
					jerr = errors.New("no finding_id")
				}
				return fmt.Errorf("findings store %s line %d: %w", path, line, jerr)
			}
			m.byID[f.FindingID] = f
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read findings store %s: %w", path, err)
		}
	}
}

// Put stores f unless its ID is already stored.
func (m *Memory) Put(_ context.Context, f finding.Finding) (bool, error) {
	if f.FindingID == "" {
		return false, fmt.Errorf("put finding: empty finding_id (rule %s, event %s)", f.RuleID, f.EventID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byID[f.FindingID]; dup {
		return false, nil
	}
	if m.w != nil {
		b, err := json.Marshal(f)
		if err != nil {
			return false, fmt.Errorf("encode finding %s: %w", f.FindingID, err)
		}
		b = append(b, '\n')
		if _, err := m.w.Write(b); err != nil {
			return false, fmt.Errorf("append to findings store %s: %w", m.path, err)
		}
	}
	m.byID[f.FindingID] = f
	return true, nil
}

// Get returns the finding with id.
func (m *Memory) Get(id string) (finding.Finding, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.byID[id]
	return f, ok
}

// Len returns the number of stored findings.
func (m *Memory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byID)
}

// All returns every finding, sorted by event time, rule and ID.
func (m *Memory) All() []finding.Finding {
	m.mu.RLock()
	out := make([]finding.Finding, 0, len(m.byID))
	for _, f := range m.byID {
		out = append(out, f)
	}
	m.mu.RUnlock()
	Sort(out)
	return out
}

// Sort orders findings by event time, then rule ID, then finding ID: the
// deterministic order every ctap output uses.
func Sort(fs []finding.Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.EventTime != b.EventTime {
			return a.EventTime < b.EventTime
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.FindingID < b.FindingID
	})
}

// MarkAlerted records that the finding was alerted on. Like DynamoDB it
// fails for an unknown ID.
func (m *Memory) MarkAlerted(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[id]; !ok {
		return fmt.Errorf("mark finding %s alerted: no such finding", id)
	}
	m.alerted[id] = at.UTC()
	return nil
}

// AlertedAt returns when the finding was marked alerted.
func (m *Memory) AlertedAt(id string) (time.Time, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, ok := m.alerted[id]
	return t, ok
}

// QueryByAccount returns the account's findings detected at or after since,
// newest first.
func (m *Memory) QueryByAccount(_ context.Context, account string, since time.Time) ([]finding.Finding, error) {
	return m.filter(func(f finding.Finding) bool { return f.AccountID == account }, since), nil
}

// QueryBySeverity returns findings of one severity detected at or after
// since, newest first.
func (m *Memory) QueryBySeverity(_ context.Context, severity finding.Severity, since time.Time) ([]finding.Finding, error) {
	return m.filter(func(f finding.Finding) bool { return f.Severity == severity }, since), nil
}

// CountBySeverity counts findings detected at or after since; every
// severity is present, zero included.
func (m *Memory) CountBySeverity(_ context.Context, since time.Time) (map[finding.Severity]int, error) {
	counts := make(map[finding.Severity]int, len(finding.Severities))
	for _, s := range finding.Severities {
		counts[s] = 0
	}
	for _, f := range m.filter(func(finding.Finding) bool { return true }, since) {
		counts[f.Severity]++
	}
	return counts, nil
}

// filter compares detected_at as the GSI sort key does: as a string against
// since in the stored format.
func (m *Memory) filter(keep func(finding.Finding) bool, since time.Time) []finding.Finding {
	key := timeKey(since)
	m.mu.RLock()
	var out []finding.Finding
	for _, f := range m.byID {
		if keep(f) && f.DetectedAt >= key {
			out = append(out, f)
		}
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].DetectedAt != out[j].DetectedAt {
			return out[i].DetectedAt > out[j].DetectedAt
		}
		return out[i].FindingID < out[j].FindingID
	})
	return out
}

// Flush writes buffered findings to the file, if any.
func (m *Memory) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.w == nil {
		return nil
	}
	if err := m.w.Flush(); err != nil {
		return fmt.Errorf("flush findings store %s: %w", m.path, err)
	}
	return nil
}

// Close flushes and closes the file, if any.
func (m *Memory) Close() error {
	if err := m.Flush(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file == nil {
		return nil
	}
	err := m.file.Close()
	m.file, m.w = nil, nil
	if err != nil {
		return fmt.Errorf("close findings store %s: %w", m.path, err)
	}
	return nil
}

var (
	_ Store = (*Memory)(nil)
	_ Store = (*DynamoDB)(nil)
)
