package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	assert.Equal(t, string(want), string(got), "golden %s differs; run go test -update if the change is intended", path)
}

func TestEvaluateDecidesEachControlAsTheContractSays(t *testing.T) {
	cases := []struct {
		name    string
		control string
		rows    []map[string]string
		allowed []string
		want    Status
		reason  string
	}{
		{"root activity passes with no rows", RootActivity, nil, nil, Pass, "no matching events"},
		{"root activity fails on any row", RootActivity, []map[string]string{{"event_name": "ConsoleLogin"}}, nil, Fail, "1 matching event"},
		{"logins without MFA fail on any row", ConsoleLoginsWithoutMFA, []map[string]string{{}, {}}, nil, Fail, "2 matching events"},
		{"IAM policy changes only count", IAMPolicyChanges, []map[string]string{{}, {}, {}}, nil, Info, "3 IAM policy changes"},
		{"trail changes fail on any row", TrailChanges, []map[string]string{{"event_name": "StopLogging"}}, nil, Fail, "1 matching event"},
		{"unauthorized callers below the threshold pass", UnauthorizedCallers, []map[string]string{{"principal_arn": "a", "error_count": "9"}}, nil, Pass, "no principal reached 10"},
		{"unauthorized callers at the threshold fail", UnauthorizedCallers, []map[string]string{{"principal_arn": "a", "error_count": "10"}, {"principal_arn": "b", "error_count": "3"}}, nil, Fail, "1 principal with 10 or more"},
		{"unparseable error counts never fail", UnauthorizedCallers, []map[string]string{{"principal_arn": "a", "error_count": "many"}}, nil, Pass, "no principal"},
		{"regions without an allow-list are informational", RegionsInUse, []map[string]string{{"region": "us-east-1"}, {"region": "ap-south-1"}}, nil, Info, "2 regions in use; no allow-list"},
		{"regions inside the allow-list pass", RegionsInUse, []map[string]string{{"region": "us-east-1"}}, []string{"us-east-1", "eu-west-1"}, Pass, "every region in use is allowed"},
		{"a region outside the allow-list fails and is named", RegionsInUse, []map[string]string{{"region": "us-east-1"}, {"region": "ap-south-1"}}, []string{"us-east-1"}, Fail, "ap-south-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Evaluate(tc.control, tc.rows, tc.allowed)
			assert.Equal(t, tc.want, c.Status)
			assert.Contains(t, c.Reason, tc.reason)
		})
	}
}

func TestEvaluateKeepsOnlyTheFailingRowsAsEvidenceAndCapsThem(t *testing.T) {
	rows := []map[string]string{{"principal_arn": "quiet", "error_count": "1"}}
	for i := 0; i < MaxEvidenceRows+5; i++ {
		rows = append(rows, map[string]string{"principal_arn": "noisy", "error_count": "50"})
	}
	c := Evaluate(UnauthorizedCallers, rows, nil)
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, MaxEvidenceRows+5, c.EvidenceTotal)
	assert.Len(t, c.Evidence, MaxEvidenceRows)
	for _, r := range c.Evidence {
		assert.Equal(t, "noisy", r["principal_arn"])
	}
}

func TestCheckTrailNamesEveryProblem(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	ok := CheckTrail("arn:aws:cloudtrail:us-east-1:111111111111:trail/org", true, true, now.Add(-10*time.Minute), "", 2*time.Hour, now)
	assert.Equal(t, Pass, ok.Status)
	assert.Empty(t, ok.Problems)

	bad := CheckTrail("t", false, false, now.Add(-3*time.Hour), "AccessDenied", 2*time.Hour, now)
	assert.Equal(t, Fail, bad.Status)
	assert.Equal(t, []string{"the trail is not logging", "log file validation is off", "last delivery 3h0m0s ago, older than 2h0m0s", "last delivery error: AccessDenied"}, bad.Problems)

	never := CheckTrail("t", true, true, time.Time{}, "", time.Hour, now)
	assert.Equal(t, Fail, never.Status)
	assert.Contains(t, never.Problems, "the trail has never delivered a log file")
}

func TestFinalizeNeverPresentsAPartialReportAsComplete(t *testing.T) {
	r := Report{Controls: []Control{Evaluate(RootActivity, nil, nil), IncompleteControl(TrailChanges, "athena query timed out")}, Trail: TrailHealth{Status: Pass}}
	r.Finalize()
	assert.False(t, r.Complete)
	assert.Equal(t, Incomplete, r.Status)
	assert.Equal(t, []string{"trail_changes: athena query timed out"}, r.Incomplete)
	assert.Contains(t, r.Summary(), "INCOMPLETE: trail_changes: athena query timed out")

	r.Controls = append(r.Controls, Evaluate(RootActivity, []map[string]string{{}}, nil))
	r.Finalize()
	assert.Equal(t, Fail, r.Status, "a failure outranks incompleteness")
	assert.False(t, r.Complete)

	r = Report{Controls: []Control{Evaluate(RootActivity, nil, nil)}, Trail: UncheckedTrail("t", "GetTrailStatus: AccessDenied")}
	r.Finalize()
	assert.Equal(t, Incomplete, r.Status)
	assert.Equal(t, []string{"trail_health: GetTrailStatus: AccessDenied"}, r.Incomplete)
}

// sampleReport is a fixed report exercising every section, including text
// that must be escaped.
func sampleReport() *Report {
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	mk := func(rule, title string, sev finding.Severity, acct string, day, hour int) finding.Finding {
		et := from.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour).Format(time.RFC3339)
		return finding.Finding{FindingID: finding.ID(rule, et), RuleID: rule, Title: title, Severity: sev, AccountID: acct, EventTime: et, DetectedAt: et}
	}
	fs := []finding.Finding{
		mk("ct-stop-logging", "CloudTrail logging stopped", finding.Critical, "111111111111", 0, 3),
		mk("iam-root-usage", "Root account used", finding.High, "111111111111", 1, 4),
		mk("iam-root-usage", "Root account used", finding.High, "222222222222", 1, 5),
		mk("s3-bucket-policy-change", "S3 bucket policy changed", finding.Medium, "222222222222", 3, 1),
		mk("ec2-sg-change", "Security group changed", finding.Low, "333333333333", 3, 2),
		mk("ec2-sg-change", "Security group changed", finding.Low, "333333333333", 6, 2),
		mk("xss", `<script>alert("x")</script>`, finding.Info, "333333333333", 6, 3),
		mk("too-late", "outside the period", finding.Critical, "444444444444", 7, 0),
	}
	r := &Report{
		Title:       "ctap compliance report",
		Source:      "athena workgroup ctap-analytics-test (database ctap_test)",
		GeneratedAt: to.Add(5 * time.Minute).Format(time.RFC3339),
		PeriodStart: from.Format(time.RFC3339),
		PeriodEnd:   to.Format(time.RFC3339),
		Controls: []Control{
			Evaluate(RootActivity, []map[string]string{{"event_time": "2026-11-21T04:00:00Z", "event_name": "ConsoleLogin", "source_ip": "203.0.113.7", "account_id": "111111111111", "region": "us-east-1"}}, nil),
			Evaluate(ConsoleLoginsWithoutMFA, nil, nil),
			Evaluate(IAMPolicyChanges, []map[string]string{{"event_time": "2026-11-22T01:00:00Z", "event_name": "PutRolePolicy", "principal_arn": "arn:aws:iam::222222222222:role/deployer", "account_id": "222222222222"}}, nil),
			IncompleteControl(TrailChanges, "athena query timed out: query \"trail_changes\" (execution qe-9) running"),
			Evaluate(UnauthorizedCallers, []map[string]string{{"principal_arn": "arn:aws:iam::333333333333:user/<b>mallory</b>", "account_id": "333333333333", "error_count": "42"}}, nil),
			Evaluate(RegionsInUse, []map[string]string{{"region": "us-east-1", "account_id": "111111111111", "event_count": "900"}, {"region": "ap-south-1", "account_id": "333333333333", "event_count": "4"}}, []string{"us-east-1", "eu-west-1"}),
		},
		Trail:    CheckTrail("arn:aws:cloudtrail:us-east-1:111111111111:trail/ctap-trail-test", true, true, to.Add(-20*time.Minute), "", 2*time.Hour, to),
		Findings: Summarize(fs, from, to, nil),
	}
	r.Finalize()
	return r
}

func TestReportJSONMatchesGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sampleReport().JSON(&buf))
	golden(t, "report.golden.json", buf.Bytes())

	var back Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back), "report.json must parse back")
	assert.Equal(t, 7, back.Findings.Total, "the finding outside the period is not counted")
}

func TestSummarizeCountsByDaySeverityRuleAndAccount(t *testing.T) {
	s := sampleReport().Findings
	require.Len(t, s.OverTime, 7)
	assert.Equal(t, "2026-11-20", s.OverTime[0].Day)
	assert.Equal(t, 2, s.OverTime[1].Total)
	assert.Equal(t, NameCount{Name: "ec2-sg-change", Title: "Security group changed", Count: 2}, s.TopRules[0])
	assert.Equal(t, NameCount{Name: "333333333333", Count: 3}, s.TopAccount[0])

	counts := map[finding.Severity]int{finding.Critical: 5}
	over := Summarize(nil, time.Unix(0, 0), time.Unix(86400, 0), counts)
	assert.Equal(t, 5, over.Total, "counts from the severity index override fetched findings")
}

// TestHTMLIsSelfContainedAndHasNoScripts parses the rendered page: no script
// elements or event-handler attributes, and nothing that would make a browser
// fetch from elsewhere (src, href, action, url(), @import).
func TestHTMLIsSelfContainedAndHasNoScripts(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sampleReport().HTML(&buf))
	page := buf.String()

	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var svgs, rects int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			assert.NotEqual(t, "script", n.Data, "no <script>")
			assert.NotContains(t, []string{"iframe", "object", "embed", "link", "img", "image", "use", "base"}, n.Data, "no element that loads a resource: <%s>", n.Data)
			switch n.Data {
			case "svg":
				svgs++
			case "rect":
				rects++
			case "style":
				if n.FirstChild != nil {
					assertNoExternalCSS(t, n.FirstChild.Data)
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				assert.False(t, strings.HasPrefix(key, "on"), "no event handler attribute %s on <%s>", key, n.Data)
				switch key {
				case "src", "href", "action", "formaction", "xlink:href", "poster", "srcset", "data":
					assertLocalRef(t, n.Data, key, a.Val)
				case "style":
					assertNoExternalCSS(t, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	assert.Equal(t, 3, svgs, "three inline charts")
	assert.Greater(t, rects, 10)
	assert.Contains(t, page, "@media print")
	assert.NotContains(t, page, `<script>alert`, "finding titles are escaped")
	assert.Contains(t, page, "&lt;script&gt;alert")
	assert.Contains(t, page, "This report is incomplete")
	assert.Contains(t, page, "trail_changes: athena query timed out")
}

func assertLocalRef(t *testing.T, elem, attr, v string) {
	t.Helper()
	v = strings.ToLower(strings.TrimSpace(v))
	assert.True(t, strings.HasPrefix(v, "#"), "<%s %s=%q> must be an in-page anchor", elem, attr, v)
}

func assertNoExternalCSS(t *testing.T, css string) {
	t.Helper()
	low := strings.ToLower(css)
	assert.NotContains(t, low, "@import")
	for i := strings.Index(low, "url("); i >= 0; i = strings.Index(low, "url(") {
		arg := strings.Trim(strings.TrimSpace(low[i+4:]), `"'`)
		assert.False(t, strings.HasPrefix(arg, "http") || strings.HasPrefix(arg, "//"), "external url() in CSS: %s", arg)
		low = low[i+4:]
	}
}

func TestHTMLTestCatchesExternalReferences(t *testing.T) {
	// The checks above must be able to fail: run them on a bad page.
	ft := &testing.T{}
	assertLocalRef(ft, "img", "src", "https://example.com/x.png")
	assertNoExternalCSS(ft, "body{background:url(//cdn.example/x.png)}")
	assert.True(t, ft.Failed())
}

func TestEventControlsMatchTheNamedQueryColumns(t *testing.T) {
	ev := func(js string) *cloudtrail.Event {
		var e cloudtrail.Event
		require.NoError(t, json.Unmarshal([]byte(js), &e))
		return &e
	}
	ec := NewEventControls()
	ec.Add(ev(`{"eventTime":"2026-11-21T04:00:00Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"Root","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111"},"recipientAccountId":"111111111111"}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T05:00:00Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","userIdentity":{"type":"Root","invokedBy":"support.amazonaws.com","accountId":"111111111111"}}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T06:00:00Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice","accountId":"111111111111"},"additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T06:01:00Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/bob","accountId":"111111111111"},"additionalEventData":{"MFAUsed":"Yes"},"responseElements":{"ConsoleLogin":"Success"}}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T07:00:00Z","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","awsRegion":"ap-south-1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/x/y","accountId":"111111111111"}}`))
	for i := 0; i < 12; i++ {
		ec.Add(ev(`{"eventTime":"2026-11-21T08:00:00Z","eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","errorCode":"Client.UnauthorizedOperation","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","accountId":"111111111111"}}`))
	}
	ec.Add(nil)
	got := map[string]Control{}
	for _, c := range ec.Controls([]string{"us-east-1"}) {
		got[c.Name] = c
		for _, row := range c.Evidence {
			for _, col := range c.Columns {
				_, ok := row[col]
				assert.True(t, ok, "%s row lacks column %s", c.Name, col)
			}
		}
	}
	assert.Equal(t, Fail, got[RootActivity].Status)
	assert.Equal(t, 1, got[RootActivity].EvidenceTotal, "service calls on behalf of root are not root activity")
	assert.Equal(t, "arn:aws:iam::111111111111:user/alice", got[ConsoleLoginsWithoutMFA].Evidence[0]["principal_arn"])
	assert.Equal(t, 1, got[ConsoleLoginsWithoutMFA].EvidenceTotal)
	assert.Equal(t, Fail, got[TrailChanges].Status)
	assert.Equal(t, Info, got[IAMPolicyChanges].Status)
	assert.Equal(t, Fail, got[UnauthorizedCallers].Status)
	assert.Equal(t, "12", got[UnauthorizedCallers].Evidence[0]["error_count"])
	assert.Equal(t, Fail, got[RegionsInUse].Status)
	assert.Contains(t, got[RegionsInUse].Reason, "ap-south-1")
}

// TestRegionPolicyIgnoresGlobalServices: IAM, STS, sign-in and the other
// global services record their events in us-east-1 wherever the caller
// works, and AWS's own service events are not the customer's activity; a
// team allowed only eu-west-1 must not fail every day because of them.
func TestRegionPolicyIgnoresGlobalServices(t *testing.T) {
	ev := func(js string) *cloudtrail.Event {
		var e cloudtrail.Event
		require.NoError(t, json.Unmarshal([]byte(js), &e))
		return &e
	}
	allowed := []string{"eu-west-1"}
	ec := NewEventControls()
	ec.Add(ev(`{"eventTime":"2026-11-21T04:00:00Z","eventName":"GetUser","eventSource":"iam.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111"}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T04:01:00Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111"}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T04:02:00Z","eventName":"AssumeRole","eventSource":"sts.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111"}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T04:03:00Z","eventName":"RotateKey","eventSource":"kms.amazonaws.com","awsRegion":"ap-south-1","eventType":"AwsServiceEvent","recipientAccountId":"111111111111"}`))
	ec.Add(ev(`{"eventTime":"2026-11-21T04:04:00Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","awsRegion":"eu-west-1","recipientAccountId":"111111111111"}`))
	got := map[string]Control{}
	for _, c := range ec.Controls(allowed) {
		got[c.Name] = c
	}
	assert.Equal(t, Pass, got[RegionsInUse].Status, got[RegionsInUse].Reason)

	// A regional service used in us-east-1 is still a region in use.
	ec.Add(ev(`{"eventTime":"2026-11-21T04:05:00Z","eventName":"RunInstances","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111"}`))
	for _, c := range ec.Controls(allowed) {
		got[c.Name] = c
	}
	assert.Equal(t, Fail, got[RegionsInUse].Status)
	assert.Contains(t, got[RegionsInUse].Reason, "us-east-1")
}
