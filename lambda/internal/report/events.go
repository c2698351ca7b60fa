package report

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// EventControls evaluates the compliance checks from CloudTrail events
// directly, for local runs where there is no Athena. It produces the same
// rows (same columns) that the named queries return, so Evaluate decides
// both the same way. It is safe for concurrent use.
type EventControls struct {
	mu           sync.Mutex
	rows         map[string][]map[string]string
	unauthorized map[[2]string]int // (principal, account) → denied calls
	regions      map[[2]string]int // (region, account) → events
	events       int
	first, last  time.Time
}

// NewEventControls returns an empty evaluator.
func NewEventControls() *EventControls {
	return &EventControls{rows: map[string][]map[string]string{}, unauthorized: map[[2]string]int{}, regions: map[[2]string]int{}}
}

// iamPolicyEvents are the CIS 4.4 IAM policy changes.
var iamPolicyEvents = set("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
	"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
	"AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")

// trailEvents are the CIS 4.5 CloudTrail configuration changes.
var trailEvents = set("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging", "PutEventSelectors", "PutInsightSelectors")

// globalServices record their events in us-east-1 wherever the caller
// works, so those events say nothing about which regions are in use. Keep
// the list in step with terraform/queries/compliance/regions_in_use.sql.
var globalServices = set(
	"iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com", "organizations.amazonaws.com",
	"cloudfront.amazonaws.com", "route53.amazonaws.com", "route53domains.amazonaws.com",
	"support.amazonaws.com", "health.amazonaws.com", "account.amazonaws.com",
	"billingconsole.amazonaws.com", "ce.amazonaws.com", "waf.amazonaws.com", "shield.amazonaws.com")

// countsForRegionPolicy reports whether an event shows a region in use: not
// an event AWS emitted itself, nor a global service's event in us-east-1.
func countsForRegionPolicy(e *cloudtrail.Event) bool {
	if e.EventType == "AwsServiceEvent" {
		return false
	}
	return !(e.AWSRegion == "us-east-1" && globalServices[e.EventSource])
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, i := range items {
		m[i] = true
	}
	return m
}

// Add folds one event into every check.
func (c *EventControls) Add(e *cloudtrail.Event) {
	if e == nil {
		return
	}
	acct := e.AccountID()
	t := e.Time()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events++
	if !t.IsZero() {
		if c.first.IsZero() || t.Before(c.first) {
			c.first = t
		}
		if t.After(c.last) {
			c.last = t
		}
	}
	if e.AWSRegion != "" && countsForRegionPolicy(e) {
		c.regions[[2]string{e.AWSRegion, acct}]++
	}
	if e.UserIdentity.Type == "Root" && e.UserIdentity.InvokedBy == "" && e.EventType != "AwsServiceEvent" {
		c.add(RootActivity, map[string]string{"event_time": e.EventTime, "event_name": e.EventName, "source_ip": e.SourceIPAddress, "account_id": acct, "region": e.AWSRegion})
	}
	if e.EventName == "ConsoleLogin" && field(e.AdditionalEventData, "MFAUsed") == "No" && field(e.ResponseElements, "ConsoleLogin") == "Success" {
		c.add(ConsoleLoginsWithoutMFA, map[string]string{"event_time": e.EventTime, "principal_arn": e.PrincipalARN(), "source_ip": e.SourceIPAddress, "account_id": acct})
	}
	if e.EventSource == "iam.amazonaws.com" && iamPolicyEvents[e.EventName] {
		c.add(IAMPolicyChanges, map[string]string{"event_time": e.EventTime, "event_name": e.EventName, "principal_arn": e.PrincipalARN(), "account_id": acct})
	}
	if e.EventSource == "cloudtrail.amazonaws.com" && trailEvents[e.EventName] {
		c.add(TrailChanges, map[string]string{"event_time": e.EventTime, "event_name": e.EventName, "principal_arn": e.PrincipalARN(), "account_id": acct, "region": e.AWSRegion})
	}
	if unauthorized(e.ErrorCode) {
		c.unauthorized[[2]string{e.PrincipalARN(), acct}]++
	}
}

func (c *EventControls) add(name string, row map[string]string) {
	c.rows[name] = append(c.rows[name], row)
}

// unauthorized matches the CIS 4.1 error codes across services.
func unauthorized(code string) bool {
	return code == "AccessDenied" || strings.HasSuffix(code, "UnauthorizedOperation") || strings.HasPrefix(code, "AccessDenied")
}

// field reads a top-level string field of a raw JSON object; "" otherwise.
func field(raw json.RawMessage, name string) string {
	if len(raw) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(m[name], &s) != nil {
		return ""
	}
	return s
}

// Span is the number of events added and the first and last event times
// (zero when no event had a time).
func (c *EventControls) Span() (events int, first, last time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events, c.first, c.last
}

// Controls evaluates every check over the events added so far.
func (c *EventControls) Controls(allowedRegions []string) []Control {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := map[string][]map[string]string{}
	for k, v := range c.rows {
		sorted := append([]map[string]string(nil), v...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i]["event_time"] < sorted[j]["event_time"] })
		rows[k] = sorted
	}
	rows[UnauthorizedCallers] = counted(c.unauthorized, "principal_arn", "error_count")
	rows[RegionsInUse] = counted(c.regions, "region", "event_count")
	out := make([]Control, 0, len(Controls))
	for _, spec := range Controls {
		out = append(out, Evaluate(spec.Name, rows[spec.Name], allowedRegions))
	}
	return out
}

// counted turns a (key, account) → n map into rows, largest first, as the
// GROUP BY queries return them.
func counted(m map[[2]string]int, keyCol, countCol string) []map[string]string {
	type kv struct {
		k [2]string
		n int
	}
	var list []kv
	for k, n := range m {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		if list[i].k[0] != list[j].k[0] {
			return list[i].k[0] < list[j].k[0]
		}
		return list[i].k[1] < list[j].k[1]
	})
	out := make([]map[string]string, 0, len(list))
	for _, e := range list {
		out = append(out, map[string]string{keyCol: e.k[0], "account_id": e.k[1], countCol: strconv.Itoa(e.n)})
	}
	return out
}

// Local builds the report of a local run from the events' controls and the
// findings of the same replay. The period is the whole days the events span.
// There is no trail to query locally, so trail health is informational.
func Local(source string, ec *EventControls, fs []finding.Finding, allowedRegions []string, now time.Time) *Report {
	_, first, last := ec.Span()
	if first.IsZero() {
		first, last = now, now
	}
	from := first.UTC().Truncate(24 * time.Hour)
	to := last.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	r := &Report{
		Title:       "ctap compliance report (local replay)",
		Source:      source,
		GeneratedAt: now.UTC().Format(time.RFC3339),
		PeriodStart: from.Format(time.RFC3339),
		PeriodEnd:   to.Format(time.RFC3339),
		Controls:    ec.Controls(allowedRegions),
		Trail: TrailHealth{Status: Info, TrailARN: "(local replay: no trail)",
			Problems: []string{"not checked: a local replay has no trail whose status could be read"}},
		Findings: Summarize(fs, from, to, nil),
	}
	r.Finalize()
	return r
}
