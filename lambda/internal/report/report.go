// Package report builds the compliance report: pass/fail per control with
// the evidence rows behind it, trail health, and findings by severity, rule
// and account. The deployed compliance-reporter fills it from Athena and
// DynamoDB; `ctap report` fills it from a local replay. Both render the same
// JSON and the same self-contained HTML.
package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Status is a control's outcome.
type Status string

// The outcomes. Info is for checks that only count (IAM policy changes);
// Incomplete means the evidence could not be gathered, so the control is
// neither passed nor failed.
const (
	Pass       Status = "pass"
	Fail       Status = "fail"
	Info       Status = "info"
	Incomplete Status = "incomplete"
)

// The compliance checks, by the names used for the Athena named queries
// (docs/contracts.md) and the columns each returns.
const (
	RootActivity            = "root_activity"
	ConsoleLoginsWithoutMFA = "console_logins_without_mfa"
	IAMPolicyChanges        = "iam_policy_changes"
	TrailChanges            = "trail_changes"
	UnauthorizedCallers     = "unauthorized_callers"
	RegionsInUse            = "regions_in_use"
)

// UnauthorizedCallThreshold is the error_count at which a principal fails
// the unauthorized_callers control.
const UnauthorizedCallThreshold = 10

// MaxEvidenceRows bounds the rows kept per control; the total is still
// reported, so a reader knows when the list is cut.
const MaxEvidenceRows = 50

// ControlSpec describes one compliance check.
type ControlSpec struct {
	Name          string
	Title         string
	Reference     string
	Columns       []string
	FailsWhen     string
	Informational bool
}

// Controls lists the checks in report order.
var Controls = []ControlSpec{
	{Name: RootActivity, Title: "Root account activity", Reference: "CIS 4.3", Columns: []string{"event_time", "event_name", "source_ip", "account_id", "region"}, FailsWhen: "any root call"},
	{Name: ConsoleLoginsWithoutMFA, Title: "Console sign-in without MFA", Reference: "CIS 4.2", Columns: []string{"event_time", "principal_arn", "source_ip", "account_id"}, FailsWhen: "any sign-in without MFA"},
	{Name: IAMPolicyChanges, Title: "IAM policy changes", Reference: "CIS 4.4", Columns: []string{"event_time", "event_name", "principal_arn", "account_id"}, FailsWhen: "never (informational: count only)", Informational: true},
	{Name: TrailChanges, Title: "CloudTrail configuration changes", Reference: "CIS 4.5", Columns: []string{"event_time", "event_name", "principal_arn", "account_id", "region"}, FailsWhen: "any trail change"},
	{Name: UnauthorizedCallers, Title: "Unauthorized API call leaders", Reference: "CIS 4.1", Columns: []string{"principal_arn", "account_id", "error_count"}, FailsWhen: fmt.Sprintf("a principal with %d or more denied calls", UnauthorizedCallThreshold)},
	{Name: RegionsInUse, Title: "Regions in use outside the allow-list", Reference: "region policy", Columns: []string{"region", "account_id", "event_count"}, FailsWhen: "a region outside ALLOWED_REGIONS"},
}

// Spec returns the control named name.
func Spec(name string) (ControlSpec, bool) {
	for _, c := range Controls {
		if c.Name == name {
			return c, true
		}
	}
	return ControlSpec{}, false
}

// Control is one evaluated check.
type Control struct {
	Name          string              `json:"name"`
	Title         string              `json:"title"`
	Reference     string              `json:"reference"`
	Status        Status              `json:"status"`
	Reason        string              `json:"reason"`
	FailsWhen     string              `json:"fails_when"`
	Columns       []string            `json:"columns"`
	Evidence      []map[string]string `json:"evidence"`
	EvidenceTotal int                 `json:"evidence_total"`
}

// Evaluate decides a control from its query rows. allowedRegions applies to
// regions_in_use only; when empty, regions are listed but never fail.
func Evaluate(name string, rows []map[string]string, allowedRegions []string) Control {
	spec, ok := Spec(name)
	if !ok {
		spec = ControlSpec{Name: name, Title: name, FailsWhen: "any row"}
	}
	c := Control{Name: name, Title: spec.Title, Reference: spec.Reference, FailsWhen: spec.FailsWhen, Columns: spec.Columns}
	var failing []map[string]string
	switch name {
	case IAMPolicyChanges:
		c.Status = Info
		c.Reason = plural(len(rows), "IAM policy change", "IAM policy changes")
		failing = rows
	case UnauthorizedCallers:
		for _, r := range rows {
			n, err := strconv.Atoi(strings.TrimSpace(r["error_count"]))
			if err != nil {
				continue
			}
			if n >= UnauthorizedCallThreshold {
				failing = append(failing, r)
			}
		}
		if len(failing) == 0 {
			c.Status, c.Reason = Pass, fmt.Sprintf("no principal reached %d denied calls", UnauthorizedCallThreshold)
			failing = rows
		} else {
			c.Status, c.Reason = Fail, fmt.Sprintf("%s with %d or more denied calls", plural(len(failing), "principal", "principals"), UnauthorizedCallThreshold)
		}
	case RegionsInUse:
		allowed := map[string]bool{}
		for _, r := range allowedRegions {
			allowed[r] = true
		}
		outside := map[string]bool{}
		if len(allowed) > 0 {
			for _, r := range rows {
				if !allowed[r["region"]] {
					failing = append(failing, r)
					outside[r["region"]] = true
				}
			}
		}
		switch {
		case len(allowed) == 0:
			c.Status, c.Reason = Info, fmt.Sprintf("%s in use; no allow-list configured", plural(distinct(rows, "region"), "region", "regions"))
			failing = rows
		case len(failing) == 0:
			c.Status, c.Reason = Pass, fmt.Sprintf("every region in use is allowed (%s)", strings.Join(allowedRegions, ", "))
			failing = rows
		default:
			c.Status, c.Reason = Fail, "used outside the allow-list: "+strings.Join(sortedKeys(outside), ", ")
		}
	default:
		failing = rows
		if len(rows) == 0 {
			c.Status, c.Reason = Pass, "no matching events"
		} else {
			c.Status, c.Reason = Fail, plural(len(rows), "matching event", "matching events")
		}
	}
	c.EvidenceTotal = len(failing)
	if len(failing) > MaxEvidenceRows {
		failing = failing[:MaxEvidenceRows]
	}
	c.Evidence = append([]map[string]string{}, failing...)
	return c
}

// IncompleteControl is a control whose query could not run; why names the
// failure (e.g. the Athena error).
func IncompleteControl(name, why string) Control {
	spec, _ := Spec(name)
	if spec.Name == "" {
		spec = ControlSpec{Name: name, Title: name}
	}
	return Control{Name: name, Title: spec.Title, Reference: spec.Reference, FailsWhen: spec.FailsWhen, Columns: spec.Columns,
		Status: Incomplete, Reason: why, Evidence: []map[string]string{}}
}

// TrailHealth is the trail's own state, from GetTrailStatus and GetTrail.
type TrailHealth struct {
	TrailARN             string   `json:"trail_arn"`
	Status               Status   `json:"status"`
	IsLogging            bool     `json:"is_logging"`
	LogFileValidation    bool     `json:"log_file_validation"`
	LatestDelivery       string   `json:"latest_delivery,omitempty"`
	LatestDeliveryError  string   `json:"latest_delivery_error,omitempty"`
	MaxDeliveryAgeMinute int      `json:"max_delivery_age_minutes"`
	Problems             []string `json:"problems"`
}

// CheckTrail evaluates trail health. latest is the zero time when the trail
// has never delivered.
func CheckTrail(arn string, logging, validation bool, latest time.Time, deliveryErr string, maxAge time.Duration, now time.Time) TrailHealth {
	h := TrailHealth{TrailARN: arn, IsLogging: logging, LogFileValidation: validation, LatestDeliveryError: deliveryErr,
		MaxDeliveryAgeMinute: int(maxAge / time.Minute), Problems: []string{}}
	if !logging {
		h.Problems = append(h.Problems, "the trail is not logging")
	}
	if !validation {
		h.Problems = append(h.Problems, "log file validation is off")
	}
	switch {
	case latest.IsZero():
		h.Problems = append(h.Problems, "the trail has never delivered a log file")
	default:
		h.LatestDelivery = latest.UTC().Format(time.RFC3339)
		if age := now.Sub(latest); age > maxAge {
			h.Problems = append(h.Problems, fmt.Sprintf("last delivery %s ago, older than %s", age.Round(time.Minute), maxAge))
		}
	}
	if deliveryErr != "" {
		h.Problems = append(h.Problems, "last delivery error: "+deliveryErr)
	}
	h.Status = Pass
	if len(h.Problems) > 0 {
		h.Status = Fail
	}
	return h
}

// UncheckedTrail is trail health that could not be read.
func UncheckedTrail(arn, why string) TrailHealth {
	return TrailHealth{TrailARN: arn, Status: Incomplete, Problems: []string{why}}
}

// SeverityCount is a number of findings of one severity.
type SeverityCount struct {
	Severity finding.Severity `json:"severity"`
	Count    int              `json:"count"`
}

// DayCounts is the findings of one UTC day, by severity.
type DayCounts struct {
	Day    string          `json:"day"` // YYYY-MM-DD
	Counts []SeverityCount `json:"counts"`
	Total  int             `json:"total"`
}

// NameCount is a rule or account with its number of findings.
type NameCount struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Count int    `json:"count"`
}

// Findings summarises findings for the report.
type Findings struct {
	BySeverity []SeverityCount `json:"by_severity"`
	Total      int             `json:"total"`
	OverTime   []DayCounts     `json:"over_time"`
	TopRules   []NameCount     `json:"top_rules"`
	TopAccount []NameCount     `json:"top_accounts"`
}

// TopN is how many rules and accounts the report lists.
const TopN = 10

// Summarize counts findings whose event time (else detection time) falls in
// [from, to), by day and severity, and ranks rules and accounts. counts, when
// not nil, overrides the per-severity totals (the deployed reporter counts
// through the severity index, which sees more than the findings it fetched).
func Summarize(fs []finding.Finding, from, to time.Time, counts map[finding.Severity]int) Findings {
	from, to = from.UTC(), to.UTC()
	days := map[string]map[finding.Severity]int{}
	var order []string
	for d := from.Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
		key := d.Format("2006-01-02")
		days[key] = map[finding.Severity]int{}
		order = append(order, key)
	}
	bySev := map[finding.Severity]int{}
	rules := map[string]*NameCount{}
	accounts := map[string]*NameCount{}
	for _, f := range fs {
		t := findingTime(f)
		if t.IsZero() || t.Before(from) || !t.Before(to) {
			continue
		}
		bySev[f.Severity]++
		if d, ok := days[t.Format("2006-01-02")]; ok {
			d[f.Severity]++
		}
		if rules[f.RuleID] == nil {
			rules[f.RuleID] = &NameCount{Name: f.RuleID, Title: f.Title}
		}
		rules[f.RuleID].Count++
		acct := f.AccountID
		if acct == "" {
			acct = "(unknown)"
		}
		if accounts[acct] == nil {
			accounts[acct] = &NameCount{Name: acct}
		}
		accounts[acct].Count++
	}
	if counts != nil {
		bySev = counts
	}
	out := Findings{BySeverity: []SeverityCount{}, OverTime: []DayCounts{}}
	for _, s := range finding.Severities {
		out.BySeverity = append(out.BySeverity, SeverityCount{Severity: s, Count: bySev[s]})
		out.Total += bySev[s]
	}
	for _, day := range order {
		dc := DayCounts{Day: day, Counts: []SeverityCount{}}
		for _, s := range finding.Severities {
			dc.Counts = append(dc.Counts, SeverityCount{Severity: s, Count: days[day][s]})
			dc.Total += days[day][s]
		}
		out.OverTime = append(out.OverTime, dc)
	}
	out.TopRules = top(rules)
	out.TopAccount = top(accounts)
	return out
}

func findingTime(f finding.Finding) time.Time {
	for _, v := range []string{f.EventTime, f.DetectedAt} {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func top(m map[string]*NameCount) []NameCount {
	out := make([]NameCount, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > TopN {
		out = out[:TopN]
	}
	return out
}

// Report is the whole compliance report, as written to report.json.
type Report struct {
	Title       string      `json:"title"`
	Source      string      `json:"source"`
	GeneratedAt string      `json:"generated_at"`
	PeriodStart string      `json:"period_start"`
	PeriodEnd   string      `json:"period_end"`
	Status      Status      `json:"status"`
	Complete    bool        `json:"complete"`
	Incomplete  []string    `json:"incomplete"`
	Controls    []Control   `json:"controls"`
	Trail       TrailHealth `json:"trail_health"`
	Findings    Findings    `json:"findings"`
	// FindingsError says why the findings section could not be read; the
	// report is then incomplete.
	FindingsError string `json:"findings_error,omitempty"`
}

// Finalize derives the overall status and the incomplete list from the
// controls and trail health. A report with any incomplete part says so and
// names it; it is never presented as complete.
func (r *Report) Finalize() {
	r.Incomplete = []string{}
	failed := false
	for _, c := range r.Controls {
		switch c.Status {
		case Fail:
			failed = true
		case Incomplete:
			r.Incomplete = append(r.Incomplete, c.Name+": "+c.Reason)
		}
	}
	switch r.Trail.Status {
	case Fail:
		failed = true
	case Incomplete:
		r.Incomplete = append(r.Incomplete, "trail_health: "+strings.Join(r.Trail.Problems, "; "))
	}
	if r.FindingsError != "" {
		r.Incomplete = append(r.Incomplete, "findings: "+r.FindingsError)
	}
	r.Complete = len(r.Incomplete) == 0
	switch {
	case failed:
		r.Status = Fail
	case !r.Complete:
		r.Status = Incomplete
	default:
		r.Status = Pass
	}
}

// Summary is the short plain-text result published to SNS.
func (r *Report) Summary(keys ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.Title, strings.ToUpper(string(r.Status)))
	fmt.Fprintf(&b, "Period: %s to %s\n", r.PeriodStart, r.PeriodEnd)
	if !r.Complete {
		fmt.Fprintf(&b, "INCOMPLETE: %s\n", strings.Join(r.Incomplete, "; "))
	}
	b.WriteString("\nControls:\n")
	for _, c := range r.Controls {
		fmt.Fprintf(&b, "  %-10s %s (%s): %s\n", strings.ToUpper(string(c.Status)), c.Title, c.Name, c.Reason)
	}
	trail := strings.Join(r.Trail.Problems, "; ")
	if trail == "" {
		trail = "logging, validation on, delivering"
	}
	fmt.Fprintf(&b, "  %-10s Trail health (trail_health): %s\n", strings.ToUpper(string(r.Trail.Status)), trail)
	fmt.Fprintf(&b, "\nFindings: %d", r.Findings.Total)
	for _, s := range r.Findings.BySeverity {
		fmt.Fprintf(&b, ", %s %d", s.Severity, s.Count)
	}
	b.WriteString("\n")
	if len(keys) > 0 {
		b.WriteString("\nReport:\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s\n", k)
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func distinct(rows []map[string]string, col string) int {
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r[col]] = true
	}
	return len(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
