package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

type fakeNamed struct{ missing map[string]bool }

func (f fakeNamed) BatchGetNamedQuery(_ context.Context, in *sdkathena.BatchGetNamedQueryInput, _ ...func(*sdkathena.Options)) (*sdkathena.BatchGetNamedQueryOutput, error) {
	out := &sdkathena.BatchGetNamedQueryOutput{}
	for _, id := range in.NamedQueryIds {
		if f.missing[id] {
			out.UnprocessedNamedQueryIds = append(out.UnprocessedNamedQueryIds, athenatypes.UnprocessedNamedQueryId{NamedQueryId: aws.String(id), ErrorCode: aws.String("InvalidRequestException")})
			continue
		}
		out.NamedQueries = append(out.NamedQueries, athenatypes.NamedQuery{NamedQueryId: aws.String(id), QueryString: aws.String("-- sql for " + id)})
	}
	return out, nil
}

type fakeRunner struct {
	mu   sync.Mutex
	rows map[string][]map[string]string
	fail map[string]error
	ran  map[string]string
}

func (r *fakeRunner) Run(_ context.Context, name, sql string) (*athena.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ran == nil {
		r.ran = map[string]string{}
	}
	r.ran[name] = sql
	if err := r.fail[name]; err != nil {
		return nil, err
	}
	return &athena.Result{Rows: r.rows[name]}, nil
}

type fakeTrail struct {
	logging, validation bool
	latest              time.Time
	err                 error
}

func (f fakeTrail) GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(f.logging), LatestDeliveryTime: aws.Time(f.latest)}, nil
}

func (f fakeTrail) GetTrail(context.Context, *cloudtrail.GetTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error) {
	return &cloudtrail.GetTrailOutput{Trail: &cttypes.Trail{LogFileValidationEnabled: aws.Bool(f.validation)}}, nil
}

type fakeFindings struct {
	fs  []finding.Finding
	err error
}

func (f fakeFindings) CountBySeverity(_ context.Context, since time.Time) (map[finding.Severity]int, error) {
	if f.err != nil {
		return nil, f.err
	}
	out := map[finding.Severity]int{}
	for _, x := range f.fs {
		out[x.Severity]++
	}
	return out, nil
}

func (f fakeFindings) QueryBySeverity(_ context.Context, sev finding.Severity, _ time.Time) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, x := range f.fs {
		if x.Severity == sev {
			out = append(out, x)
		}
	}
	return out, nil
}

type fakeS3 struct {
	objects map[string][]byte
	types   map[string]string
	err     error
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b, _ := io.ReadAll(in.Body)
	if f.objects == nil {
		f.objects, f.types = map[string][]byte{}, map[string]string{}
	}
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	f.objects[key] = b
	f.types[key] = aws.ToString(in.ContentType)
	return &s3.PutObjectOutput{}, nil
}

type fakeSNS struct{ sent []*sns.PublishInput }

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.sent = append(f.sent, in)
	return &sns.PublishOutput{}, nil
}

var reportNow = time.Date(2026, 11, 27, 2, 0, 30, 0, time.UTC)

func testConfig() ComplianceConfig {
	ids := map[string]string{}
	for _, c := range Controls {
		ids[c.Name] = "id-" + c.Name
	}
	return ComplianceConfig{
		FindingsTable: "ctap-findings-test", TopicCritical: "arn:aws:sns:us-east-1:111122223333:crit", TopicMedium: "arn:aws:sns:us-east-1:111122223333:med",
		Workgroup: "ctap-wg", Database: "ctap_db", QueryIDs: ids, Bucket: "ctap-reports", Prefix: "reports/compliance",
		TrailARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/ctap", MaxDeliveryAge: 2 * time.Hour, AllowedRegions: []string{"us-east-1"},
	}
}

func newReporter(runner *fakeRunner, trail fakeTrail, named fakeNamed, objects *fakeS3, pub *fakeSNS) *Reporter {
	return &Reporter{Config: testConfig(), Runner: runner, NamedQuery: named, Trail: trail,
		Findings: fakeFindings{fs: []finding.Finding{{FindingID: "a", RuleID: "ct-stop-logging", Title: "CloudTrail logging stopped", Severity: finding.Critical, AccountID: "111122223333", EventTime: "2026-11-26T10:00:00Z"}}},
		Objects:  objects, Publisher: pub, Now: func() time.Time { return reportNow }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

func healthyTrail() fakeTrail {
	return fakeTrail{logging: true, validation: true, latest: reportNow.Add(-5 * time.Minute)}
}

func TestReporterWritesBothFilesAndPublishesPassFailPerControl(t *testing.T) {
	runner := &fakeRunner{rows: map[string][]map[string]string{
		RootActivity: {{"event_time": "2026-11-26T04:00:00Z", "event_name": "ListBuckets", "source_ip": "203.0.113.7", "account_id": "111122223333", "region": "us-east-1"}},
		RegionsInUse: {{"region": "us-east-1", "account_id": "111122223333", "event_count": "100"}},
	}}
	objects, pub := &fakeS3{}, &fakeSNS{}
	sched := events.CloudWatchEvent{Time: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	res, err := newReporter(runner, healthyTrail(), fakeNamed{}, objects, pub).Handle(context.Background(), sched)
	require.NoError(t, err)

	assert.Equal(t, []string{"s3://ctap-reports/reports/compliance/2026/11/27/report.json", "s3://ctap-reports/reports/compliance/2026/11/27/report.html"}, res.Keys)
	assert.Equal(t, "text/html; charset=utf-8", objects.types["ctap-reports/reports/compliance/2026/11/27/report.html"])
	for _, c := range Controls {
		assert.Equal(t, "-- sql for id-"+c.Name, runner.ran[c.Name], "the named query's own SQL runs")
	}
	var rep Report
	require.NoError(t, json.Unmarshal(objects.objects["ctap-reports/reports/compliance/2026/11/27/report.json"], &rep))
	assert.Equal(t, Fail, rep.Status)
	assert.True(t, rep.Complete)
	assert.Equal(t, Pass, rep.Trail.Status)
	assert.Equal(t, 1, rep.Findings.Total)
	assert.Len(t, rep.Findings.OverTime, 7)

	require.Len(t, pub.sent, 1)
	assert.Equal(t, "arn:aws:sns:us-east-1:111122223333:med", aws.ToString(pub.sent[0].TopicArn), "medium unless trail health fails")
	msg := aws.ToString(pub.sent[0].Message)
	assert.Contains(t, msg, "FAIL       Root account activity (root_activity): 1 matching event")
	assert.Contains(t, msg, "PASS       Console sign-in without MFA")
	assert.Contains(t, msg, "s3://ctap-reports/reports/compliance/2026/11/27/report.html")
	assert.Equal(t, "[MEDIUM] ctap compliance report 2026-11-27: FAIL", aws.ToString(pub.sent[0].Subject))
	assert.Equal(t, "111122223333", aws.ToString(pub.sent[0].MessageAttributes["account_id"].StringValue))
}

func TestReporterMarksTheReportIncompleteNamingTheFailedQuery(t *testing.T) {
	runner := &fakeRunner{fail: map[string]error{TrailChanges: fmt.Errorf("wait: %w", athena.ErrTimeout)}}
	objects, pub := &fakeS3{}, &fakeSNS{}
	res, err := newReporter(runner, healthyTrail(), fakeNamed{missing: map[string]bool{"id-" + UnauthorizedCallers: true}}, objects, pub).
		Handle(context.Background(), events.CloudWatchEvent{})
	require.NoError(t, err, "an incomplete report is still a report")
	assert.False(t, res.Complete)
	assert.Equal(t, Incomplete, res.Status)

	var rep Report
	require.NoError(t, json.Unmarshal(objects.objects["ctap-reports/reports/compliance/2026/11/27/report.json"], &rep))
	require.Len(t, rep.Incomplete, 2)
	assert.Contains(t, rep.Incomplete[0], "trail_changes: ")
	assert.Contains(t, rep.Incomplete[0], "timed out")
	assert.Contains(t, rep.Incomplete[1], "unauthorized_callers: named query id-unauthorized_callers could not be fetched")
	msg := aws.ToString(pub.sent[0].Message)
	assert.Contains(t, msg, "INCOMPLETE: trail_changes")
	assert.Contains(t, string(objects.objects["ctap-reports/reports/compliance/2026/11/27/report.html"]), "This report is incomplete")
}

func TestReporterPagesCriticalWhenTrailHealthFails(t *testing.T) {
	cases := []struct {
		name  string
		trail fakeTrail
		topic string
	}{
		{"not logging", fakeTrail{logging: false, validation: true, latest: reportNow}, "crit"},
		{"validation off", fakeTrail{logging: true, validation: false, latest: reportNow}, "crit"},
		{"stale delivery", fakeTrail{logging: true, validation: true, latest: reportNow.Add(-3 * time.Hour)}, "crit"},
		{"trail unreadable is incomplete, not critical", fakeTrail{err: errors.New("AccessDenied")}, "med"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pub := &fakeSNS{}
			_, err := newReporter(&fakeRunner{}, tc.trail, fakeNamed{}, &fakeS3{}, pub).Handle(context.Background(), events.CloudWatchEvent{})
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(aws.ToString(pub.sent[0].TopicArn), ":"+tc.topic))
		})
	}
}

func TestReporterFailsWhenTheReportCannotBeWritten(t *testing.T) {
	pub := &fakeSNS{}
	_, err := newReporter(&fakeRunner{}, healthyTrail(), fakeNamed{}, &fakeS3{err: errors.New("KMS.AccessDenied")}, pub).Handle(context.Background(), events.CloudWatchEvent{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s3://ctap-reports/reports/compliance/2026/11/27/report.json")
	assert.Empty(t, pub.sent, "no summary pointing at files that do not exist")
}

func TestLoadComplianceConfigNamesEveryBadVariable(t *testing.T) {
	_, err := LoadComplianceConfig(config.FromMap(map[string]string{
		"COMPLIANCE_QUERY_IDS":           `{"root_activity":"abc"}`,
		"TRAIL_ARN":                      "ctap-trail",
		"TRAIL_MAX_DELIVERY_AGE_MINUTES": "soon",
	}))
	require.Error(t, err)
	var cerr *config.Error
	require.ErrorAs(t, err, &cerr)
	assert.ElementsMatch(t, []string{"FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_MEDIUM_ARN", "ATHENA_WORKGROUP", "ATHENA_DATABASE",
		"COMPLIANCE_QUERY_IDS", "REPORT_BUCKET", "TRAIL_ARN", "TRAIL_MAX_DELIVERY_AGE_MINUTES"}, cerr.Names())
	assert.Contains(t, err.Error(), "console_logins_without_mfa, iam_policy_changes, trail_changes, unauthorized_callers, regions_in_use")

	ids, _ := json.Marshal(testConfig().QueryIDs)
	c, err := LoadComplianceConfig(config.FromMap(map[string]string{
		"FINDINGS_TABLE": "f", "TOPIC_CRITICAL_ARN": "arn:aws:sns:us-east-1:111122223333:c", "TOPIC_MEDIUM_ARN": "arn:aws:sns:us-east-1:111122223333:m",
		"ATHENA_WORKGROUP": "wg", "ATHENA_DATABASE": "db", "COMPLIANCE_QUERY_IDS": string(ids), "REPORT_BUCKET": "b",
		"TRAIL_ARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
	}))
	require.NoError(t, err)
	assert.Equal(t, "reports/compliance", c.Prefix)
	assert.Equal(t, 2*time.Hour, c.MaxDeliveryAge)
}
