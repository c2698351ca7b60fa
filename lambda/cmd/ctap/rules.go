package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
)

// ruleJSON is a rule as `ctap rules --format json` prints it.
type ruleJSON struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Severity    string          `json:"severity"`
	Tactic      string          `json:"tactic"`
	Technique   string          `json:"technique"`
	References  []string        `json:"references"`
	Description string          `json:"description"`
	EventSource string          `json:"event_source,omitempty"`
	EventNames  []string        `json:"event_names,omitempty"`
	Aggregate   *aggregateJSON  `json:"aggregate,omitempty"`
	Positive    json.RawMessage `json:"positive_example"`
	Negative    json.RawMessage `json:"negative_example"`
}

type aggregateJSON struct {
	Threshold int    `json:"threshold"`
	Window    string `json:"window"`
}

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("rules", "[--format table|json]", stderr)
	format := fs.String("format", "table", "output format: table or json")
	rest, code, done := parse(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError(fs, stderr, "unexpected argument %q", rest[0])
	}
	rules := detect.Catalogue()
	switch *format {
	case "json":
		out := make([]ruleJSON, 0, len(rules))
		for _, r := range rules {
			j := ruleJSON{
				ID: r.ID, Title: r.Title, Severity: string(r.Severity), Tactic: r.Tactic, Technique: r.Technique,
				References: r.References, Description: r.Description, EventSource: r.EventSource, EventNames: r.EventNames,
				Positive: json.RawMessage(r.Examples.Positive), Negative: json.RawMessage(r.Examples.Negative),
			}
			if r.Aggregate != nil {
				j.Aggregate = &aggregateJSON{Threshold: r.Aggregate.Threshold, Window: r.Aggregate.Window.String()}
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "ctap rules:", err)
			return exitFailed
		}
	case "table":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tTACTIC\tTECHNIQUE\tREFERENCES\tTHRESHOLD\tTITLE")
		for _, r := range rules {
			agg := "-"
			if r.Aggregate != nil {
				agg = fmt.Sprintf(">=%d in %s", r.Aggregate.Threshold, r.Aggregate.Window)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Tactic, r.Technique, strings.Join(r.References, ", "), agg, r.Title)
		}
		_ = tw.Flush()
		fmt.Fprintf(stdout, "\n%d rules\n", len(rules))
	default:
		return usageError(fs, stderr, "unknown --format %q (want table or json)", *format)
	}
	return exitOK
}
