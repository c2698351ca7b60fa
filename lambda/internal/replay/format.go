package replay

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Formats are the output formats of WriteFindings.
var Formats = []string{"table", "json", "ndjson"}

// WriteFindings prints findings as a table, a JSON array or NDJSON (one
// finding per line, every DESIGN §3 field, evidence included).
func WriteFindings(w io.Writer, format string, fs []finding.Finding) error {
	switch format {
	case "ndjson":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, f := range fs {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	case "json":
		if fs == nil {
			fs = []finding.Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(fs)
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EVENT TIME\tSEVERITY\tRULE\tACCOUNT\tREGION\tPRINCIPAL\tSUMMARY")
		for _, f := range fs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.EventTime, f.Severity, f.RuleID, f.AccountID, f.Region,
				clip(f.PrincipalARN, 60), clip(f.Summary, 100))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// clip shortens s to n runes with an ellipsis, and keeps it on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// RuleCount is how many findings one rule produced.
type RuleCount struct {
	RuleID   string
	Severity finding.Severity
	Count    int
}

// Tally counts findings by severity and by rule (most severe, then most
// frequent, first).
func Tally(fs []finding.Finding) (bySeverity map[finding.Severity]int, byRule []RuleCount) {
	bySeverity = map[finding.Severity]int{}
	idx := map[string]int{}
	for _, f := range fs {
		bySeverity[f.Severity]++
		i, ok := idx[f.RuleID]
		if !ok {
			i = len(byRule)
			idx[f.RuleID] = i
			byRule = append(byRule, RuleCount{RuleID: f.RuleID, Severity: f.Severity})
		}
		byRule[i].Count++
	}
	sort.Slice(byRule, func(i, j int) bool {
		a, b := byRule[i], byRule[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.RuleID < b.RuleID
	})
	return bySeverity, byRule
}

// SeverityLine is "critical 3, high 5, medium 0, low 1, info 0".
func SeverityLine(bySeverity map[finding.Severity]int) string {
	parts := make([]string, 0, len(finding.Severities))
	for _, s := range finding.Severities {
		parts = append(parts, fmt.Sprintf("%s %d", s, bySeverity[s]))
	}
	return strings.Join(parts, ", ")
}

// WriteSummary prints what a replay read and found: the files, records and
// problems, then findings by severity and by rule.
func WriteSummary(w io.Writer, res Result, skipped int, shown []finding.Finding) {
	fmt.Fprintf(w, "read %d files (%s uncompressed, %d records", res.Files, humanBytes(res.Bytes), res.Records)
	if res.MalformedRecords > 0 {
		fmt.Fprintf(w, ", %d malformed records skipped", res.MalformedRecords)
	}
	fmt.Fprintf(w, "); skipped %d digest/insight files\n", skipped)
	for _, p := range res.Unreadable {
		fmt.Fprintf(w, "unreadable: %s: %v\n", p.Name, p.Err)
	}
	for _, p := range res.Truncated {
		fmt.Fprintf(w, "truncated: %s: %d records read, then: %v\n", p.Name, p.Records, p.Err)
	}
	for i, p := range res.MalformedFiles {
		if i == 10 {
			fmt.Fprintf(w, "malformed: ... and %d more files with malformed records\n", len(res.MalformedFiles)-i)
			break
		}
		fmt.Fprintf(w, "malformed: %s: %v\n", p.Name, p.Err)
	}
	bySev, byRule := Tally(shown)
	fmt.Fprintf(w, "findings: %d (%s)\n", len(shown), SeverityLine(bySev))
	if len(byRule) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SEVERITY\tFINDINGS\tRULE")
		for _, rc := range byRule {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", rc.Severity, rc.Count, rc.RuleID)
		}
		_ = tw.Flush()
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// HumanBytes formats a byte count for people (KiB, MiB, GiB).
func HumanBytes(n int64) string { return humanBytes(n) }
