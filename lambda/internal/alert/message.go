// Package alert turns stored findings into SNS alerts: one topic per paged
// severity, a short ASCII subject, a body a person can read before the
// finding JSON a machine can parse, message attributes for subscription
// filters, and a suppression window per (rule, account) that holds across
// concurrent invocations.
package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// MaxSubjectLen is the longest subject sent. SNS requires subjects "less than
// 100 characters" (the Publish API reference), so 99, not DESIGN's 100.
const MaxSubjectLen = 99

// MaxBodyBytes keeps the body under SNS's 256 KB message limit with room for
// the subject and attributes; findings carry up to 300 KB of evidence.
const MaxBodyBytes = 240 * 1024

// Message attribute names; subscribers filter on them.
const (
	AttrSeverity  = "severity"
	AttrRuleID    = "rule_id"
	AttrAccountID = "account_id"
)

// Message is one alert, ready to publish.
type Message struct {
	Subject    string            `json:"subject"`
	Body       string            `json:"body"`
	Attributes map[string]string `json:"attributes"`
}

// Format builds the alert for f. suppressed is how many alerts for the same
// rule and account were held back since the last one sent; window is the
// suppression window, named in the text so a reader knows what "since" means.
func Format(f finding.Finding, suppressed int, window time.Duration) (Message, error) {
	var b strings.Builder
	sev := strings.ToUpper(string(f.Severity))
	fmt.Fprintf(&b, "%s: %s\n\n", sev, oneLine(f.Title))
	if s := oneLine(f.Summary); s != "" {
		fmt.Fprintf(&b, "%s\n\n", s)
	}
	row := func(k, v string) {
		if v = oneLine(v); v != "" {
			fmt.Fprintf(&b, "%-11s %s\n", k+":", v)
		}
	}
	row("Account", f.AccountID)
	row("Region", f.Region)
	row("When", f.EventTime)
	row("Principal", f.PrincipalARN)
	row("Source IP", f.SourceIP)
	row("Event", strings.TrimSpace(f.EventSource+" "+f.EventName))
	row("Event ID", f.EventID)
	row("Rule", f.RuleID)
	tactic := strings.Trim(strings.Join([]string{f.Tactic, f.Technique}, " / "), " /")
	row("Tactic", tactic)
	row("References", strings.Join(f.References, ", "))
	row("Finding ID", f.FindingID)
	row("Detected", f.DetectedAt)
	if suppressed > 0 {
		fmt.Fprintf(&b, "\n%s since the previous alert for this rule and account (at most one alert per %s).\n",
			pluralAlerts(suppressed), window)
	}
	b.WriteString("\nFinding JSON:\n")
	head := b.String()

	js, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return Message{}, fmt.Errorf("encode finding %s: %w", f.FindingID, err)
	}
	if len(head)+len(js) > MaxBodyBytes {
		// Drop the evidence rather than the fields people route on; the
		// full record stays in DynamoDB under the finding ID.
		slim := f
		slim.Evidence = json.RawMessage(fmt.Sprintf(`{"omitted":true,"reason":"too large for SNS; read finding %s from the findings table","bytes":%d}`, f.FindingID, len(f.Evidence)))
		if js, err = json.MarshalIndent(slim, "", "  "); err != nil {
			return Message{}, fmt.Errorf("encode finding %s: %w", f.FindingID, err)
		}
	}
	return Message{
		Subject: Subject(f),
		Body:    head + string(js) + "\n",
		Attributes: map[string]string{
			AttrSeverity:  string(f.Severity),
			AttrRuleID:    f.RuleID,
			AttrAccountID: f.AccountID,
		},
	}, nil
}

func pluralAlerts(n int) string {
	if n == 1 {
		return "1 similar alert was suppressed"
	}
	return fmt.Sprintf("%d similar alerts were suppressed", n)
}

// Subject is "[SEVERITY] title - account", ASCII only and at most
// MaxSubjectLen characters. DESIGN writes an em dash; SNS rejects or rewrites
// subjects with non-ASCII characters, so a hyphen is used. When too long, the
// title is shortened so the severity and account always survive.
func Subject(f finding.Finding) string {
	prefix := "[" + strings.ToUpper(asciiOnly(string(f.Severity))) + "] "
	suffix := ""
	if acct := asciiOnly(f.AccountID); acct != "" {
		suffix = " - " + acct
	}
	title := asciiOnly(f.Title)
	if title == "" {
		title = asciiOnly(f.RuleID)
	}
	room := MaxSubjectLen - len(prefix) - len(suffix)
	if room < 8 { // absurd account IDs: keep the title, drop the suffix
		suffix = ""
		room = MaxSubjectLen - len(prefix)
	}
	if len(title) > room {
		title = strings.TrimRight(title[:room-3], " ") + "..."
	}
	return prefix + title + suffix
}

// replacements spell common typographic characters in ASCII.
var replacements = map[rune]string{
	'—': "-", '–': "-", '‘': "'", '’': "'", '“': `"`, '”': `"`, '…': "...", '→': "->", '\u00a0': " ",
}

// asciiOnly maps s to printable ASCII on one line: typographic characters
// are spelled out, control characters become spaces, anything else becomes
// '?', and runs of spaces collapse. Working on runes means a multi-byte
// character is never cut in half.
func asciiOnly(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		var out string
		switch {
		case r == utf8.RuneError:
			out = "?"
		case r < 0x20 || r == 0x7f || r == ' ':
			out = " "
		case r < 0x7f:
			out = string(r)
		default:
			if rep, ok := replacements[r]; ok {
				out = rep
			} else {
				out = "?"
			}
		}
		if out == " " {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteString(out)
	}
	return strings.TrimSpace(b.String())
}

// oneLine keeps a value on its line in the body, so a crafted title or user
// agent cannot forge extra "Key: value" lines.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
