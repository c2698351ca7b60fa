package anomaly

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Rule is the metadata of one anomaly kind; its findings carry it.
type Rule struct {
	ID, Title, Tactic, Technique string
	Severity                     finding.Severity
	References                   []string
}

// The anomaly rules. IDs share the "anomaly-" prefix so that they never
// collide with the detection catalogue's.
var (
	RulePrincipalVolume = Rule{ID: "anomaly-principal-call-volume", Title: "Unusual API call volume for a principal", Severity: finding.Medium, Tactic: "Discovery", Technique: "T1580"}
	RuleAccountVolume   = Rule{ID: "anomaly-account-call-volume", Title: "Unusual API call volume for an account", Severity: finding.Medium, Tactic: "Discovery", Technique: "T1580"}
	RuleAccessDenied    = Rule{ID: "anomaly-access-denied-burst", Title: "Burst of AccessDenied errors from one principal", Severity: finding.High, Tactic: "Discovery", Technique: "T1069.003", References: []string{"CIS 4.1"}}
	RuleNewRegion       = Rule{ID: "anomaly-first-region-use", Title: "First use of a region in the account", Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1535"}
	RuleConsoleSource   = Rule{ID: "anomaly-console-new-source", Title: "Console sign-in from a never-seen source IP", Severity: finding.Medium, Tactic: "Initial Access", Technique: "T1078.004"}
	RuleBulkS3Read      = Rule{ID: "anomaly-bulk-s3-read", Title: "Bulk S3 object reads by one principal", Severity: finding.High, Tactic: "Collection", Technique: "T1530"}
	RuleBulkSecretRead  = Rule{ID: "anomaly-bulk-secret-read", Title: "Bulk Secrets Manager reads by one principal", Severity: finding.High, Tactic: "Credential Access", Technique: "T1555.006"}
)

// Rules lists every anomaly rule, for ctap rules and documentation.
var Rules = []Rule{RulePrincipalVolume, RuleAccountVolume, RuleAccessDenied, RuleNewRegion, RuleConsoleSource, RuleBulkS3Read, RuleBulkSecretRead}

// Anomaly is one detected deviation, before it becomes a finding.
type Anomaly struct {
	Rule      Rule
	AccountID string
	Principal string
	Region    string
	SourceIP  string
	EventName string
	Source    string
	Summary   string
	Severity  finding.Severity
	Key       string            // what the window is per, besides the hour (principal, region, IP)
	Evidence  map[string]string // the row and the computed statistics
}

// Volume is the outcome of scoring one call-volume row.
type Volume struct {
	Current  int64
	Mean     float64
	StdDev   float64 // with the Poisson floor applied
	Z        float64 // +Inf when the baseline had no activity at all
	Anomaly  bool
	Baseline int // hours
}

// ScoreVolume decides whether current is anomalous against a baseline of
// hours hourly counts with the given sum and sum of squares (zero hours
// included through hours). The deviation is floored at √mean, the noise of
// a Poisson count: without it a principal that calls exactly 100 times every
// hour would be "infinitely" anomalous at 101.
func ScoreVolume(current, sum, sumsq int64, hours int, zMin float64, minCalls int) Volume {
	v := Volume{Current: current, Baseline: hours}
	if hours > 0 {
		v.Mean = float64(sum) / float64(hours)
		variance := float64(sumsq)/float64(hours) - v.Mean*v.Mean
		v.StdDev = math.Sqrt(math.Max(variance, 0))
	}
	v.StdDev = math.Max(v.StdDev, math.Sqrt(v.Mean))
	switch {
	case v.StdDev > 0:
		v.Z = (float64(current) - v.Mean) / v.StdDev
	case current > 0:
		v.Z = math.Inf(1)
	}
	v.Anomaly = current >= int64(minCalls) && v.Z >= zMin
	return v
}

func formatZ(z float64) string {
	if math.IsInf(z, 1) {
		return "inf"
	}
	return strconv.FormatFloat(z, 'f', 2, 64)
}

// rowInt reads an integer column; Athena returns every value as text.
func rowInt(row map[string]string, col string) (int64, error) {
	v := strings.TrimSpace(row[col])
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("column %s: %q is not an integer", col, v)
	}
	return n, nil
}

// Score turns one query's rows into anomalies. Rows that do not parse are
// returned as errors, one per row, and the rest still score.
func Score(query string, rows []map[string]string, p Period, t Thresholds, allowedRegions []string) ([]Anomaly, []error) {
	var out []Anomaly
	var errs []error
	bad := func(i int, err error) { errs = append(errs, fmt.Errorf("%s row %d: %w", query, i, err)) }
	for i, row := range rows {
		switch query {
		case QueryPrincipalVolume, QueryAccountVolume:
			cur, err1 := rowInt(row, "current_count")
			sum, err2 := rowInt(row, "baseline_sum")
			sq, err3 := rowInt(row, "baseline_sumsq")
			if err := firstErr(err1, err2, err3); err != nil {
				bad(i, err)
				continue
			}
			v := ScoreVolume(cur, sum, sq, p.BaselineHours(), t.ZScore, t.MinCalls)
			if !v.Anomaly {
				continue
			}
			a := Anomaly{Rule: RuleAccountVolume, AccountID: row["account_id"], Key: "account"}
			who := "account " + row["account_id"]
			if query == QueryPrincipalVolume {
				a.Rule, a.Principal, a.Key = RulePrincipalVolume, row["principal_arn"], row["principal_arn"]
				who = row["principal_arn"]
			}
			a.Summary = fmt.Sprintf("%s made %d API calls in the hour from %s; the %d-day baseline averages %.1f per hour (deviation %.1f, z-score %s >= %.1f)",
				who, cur, p.Start.Format(time.RFC3339), t.BaselineDays, v.Mean, v.StdDev, formatZ(v.Z), t.ZScore)
			a.Evidence = with(row, map[string]string{"baseline_hours": fmt.Sprint(v.Baseline), "baseline_mean": fmt.Sprintf("%.3f", v.Mean), "baseline_stddev": fmt.Sprintf("%.3f", v.StdDev), "z_score": formatZ(v.Z)})
			out = append(out, a)
		case QueryAccessDenied:
			n, err := rowInt(row, "denied_count")
			if err != nil {
				bad(i, err)
				continue
			}
			if n < int64(t.AccessDeniedMin) {
				continue
			}
			out = append(out, Anomaly{Rule: RuleAccessDenied, AccountID: row["account_id"], Principal: row["principal_arn"], Key: row["principal_arn"],
				Summary: fmt.Sprintf("%s was refused %d calls in the hour from %s (threshold %d); calls: %s",
					row["principal_arn"], n, p.Start.Format(time.RFC3339), t.AccessDeniedMin, row["event_names"]),
				Evidence: with(row, nil)})
		case QueryNewRegions:
			cur, err1 := rowInt(row, "current_count")
			base, err2 := rowInt(row, "baseline_count")
			if err := firstErr(err1, err2); err != nil {
				bad(i, err)
				continue
			}
			if cur == 0 || base > 0 {
				continue
			}
			a := Anomaly{Rule: RuleNewRegion, AccountID: row["account_id"], Region: row["region"], Key: row["region"], Evidence: with(row, nil)}
			allowed := len(allowedRegions) == 0 || contains(allowedRegions, row["region"])
			a.Summary = fmt.Sprintf("account %s used region %s (%d calls) for the first time in %d days; callers: %s",
				row["account_id"], row["region"], cur, t.BaselineDays, row["principals"])
			if !allowed {
				a.Severity = finding.High
				a.Summary += "; the region is outside ALLOWED_REGIONS"
			}
			out = append(out, a)
		case QueryConsoleSources:
			cur, err1 := rowInt(row, "current_count")
			base, err2 := rowInt(row, "baseline_count")
			if err := firstErr(err1, err2); err != nil {
				bad(i, err)
				continue
			}
			if cur == 0 || base > 0 {
				continue
			}
			out = append(out, Anomaly{Rule: RuleConsoleSource, AccountID: row["account_id"], Principal: row["principal_arn"], SourceIP: row["source_ip"],
				EventName: "ConsoleLogin", Source: "signin.amazonaws.com", Key: row["principal_arn"] + "/" + row["source_ip"],
				Summary: fmt.Sprintf("%s signed in to the console from %s, a source not seen for this principal in %d days (%s earlier sign-ins from other sources)",
					row["principal_arn"], row["source_ip"], t.BaselineDays, row["principal_baseline_logins"]),
				Evidence: with(row, nil)})
		case QueryBulkReads:
			n, err := rowInt(row, "read_count")
			if err != nil {
				bad(i, err)
				continue
			}
			if n < int64(t.BulkReadMin) {
				continue
			}
			rule := RuleBulkS3Read
			if row["event_source"] == "secretsmanager.amazonaws.com" {
				rule = RuleBulkSecretRead
			}
			out = append(out, Anomaly{Rule: rule, AccountID: row["account_id"], Principal: row["principal_arn"], EventName: row["event_name"], Source: row["event_source"],
				Key: row["principal_arn"],
				Summary: fmt.Sprintf("%s made %d %s calls in the hour from %s (threshold %d) across %s targets",
					row["principal_arn"], n, row["event_name"], p.Start.Format(time.RFC3339), t.BulkReadMin, row["distinct_targets"]),
				Evidence: with(row, nil)})
		default:
			bad(i, fmt.Errorf("unknown query"))
		}
	}
	return out, errs
}

func with(row, extra map[string]string) map[string]string {
	out := make(map[string]string, len(row)+len(extra))
	for k, v := range row {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Finding turns an anomaly into a finding whose ID is
// AggregateID(rule, account, "<hour>/1h/<key>"): a re-run over the same hour
// produces the same ID, which the store de-duplicates.
func (a Anomaly) Finding(p Period, detectedAt time.Time, retention time.Duration) finding.Finding {
	sev := a.Rule.Severity
	if a.Severity != "" {
		sev = a.Severity
	}
	window := p.Label() + "/" + a.Key
	ev := map[string]any{"anomaly": a.Rule.ID, "window_start": p.Start.Format(time.RFC3339), "window_end": p.End.Format(time.RFC3339),
		"baseline_start": p.BaselineStart.Format(time.RFC3339), "row": a.Evidence}
	evidence, _ := json.Marshal(ev) // a map of strings always encodes
	return finding.Finding{
		FindingID:    finding.AggregateID(a.Rule.ID, a.AccountID, window),
		RuleID:       a.Rule.ID,
		Title:        a.Rule.Title,
		Severity:     sev,
		AccountID:    a.AccountID,
		Region:       a.Region,
		EventTime:    p.Start.Format(time.RFC3339),
		DetectedAt:   detectedAt.UTC().Format(time.RFC3339),
		EventName:    a.EventName,
		EventSource:  a.Source,
		PrincipalARN: a.Principal,
		SourceIP:     a.SourceIP,
		Summary:      a.Summary,
		Evidence:     finding.TrimEvidence(evidence),
		Tactic:       a.Rule.Tactic,
		Technique:    a.Rule.Technique,
		References:   a.Rule.References,
		ExpiresAt:    detectedAt.Add(retention).Unix(),
	}
}
