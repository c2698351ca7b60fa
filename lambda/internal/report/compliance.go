package report

import (
	"bytes"
	"context"
	"fmt"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// QueryRunner runs one SQL query; *athena.Runner satisfies it.
type QueryRunner interface {
	Run(ctx context.Context, name, sql string) (*athena.Result, error)
}

// TrailStatusGetter reads the trail's state; *cloudtrail.Client satisfies it.
type TrailStatusGetter interface {
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetTrail(ctx context.Context, in *cloudtrail.GetTrailInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error)
}

// ObjectPutter writes report objects; *s3.Client satisfies it.
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Publisher sends the summary; *sns.Client satisfies it.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// FindingQuerier reads findings through the severity index; the DynamoDB
// store satisfies it.
type FindingQuerier interface {
	CountBySeverity(ctx context.Context, since time.Time) (map[finding.Severity]int, error)
	QueryBySeverity(ctx context.Context, severity finding.Severity, since time.Time) ([]finding.Finding, error)
}

// ComplianceConfig is compliance-reporter's environment.
type ComplianceConfig struct {
	LogLevel       slog.Level
	FindingsTable  string            // FINDINGS_TABLE
	TopicCritical  string            // TOPIC_CRITICAL_ARN
	TopicMedium    string            // TOPIC_MEDIUM_ARN
	Workgroup      string            // ATHENA_WORKGROUP
	Database       string            // ATHENA_DATABASE
	QueryTimeout   time.Duration     // ATHENA_QUERY_TIMEOUT_SECONDS (300)
	QueryIDs       map[string]string // COMPLIANCE_QUERY_IDS: name → named query ID
	Bucket         string            // REPORT_BUCKET
	Prefix         string            // REPORT_PREFIX (reports/compliance)
	TrailARN       string            // TRAIL_ARN
	MaxDeliveryAge time.Duration     // TRAIL_MAX_DELIVERY_AGE_MINUTES (120)
	AllowedRegions []string          // ALLOWED_REGIONS
}

// LoadComplianceConfig reads compliance-reporter's variables; the error
// names every missing or malformed one, including each compliance query
// missing from COMPLIANCE_QUERY_IDS.
func LoadComplianceConfig(env *config.Env) (ComplianceConfig, error) {
	c := ComplianceConfig{
		LogLevel:       env.LogLevel(),
		FindingsTable:  env.String("FINDINGS_TABLE"),
		TopicCritical:  env.ARN("TOPIC_CRITICAL_ARN"),
		TopicMedium:    env.ARN("TOPIC_MEDIUM_ARN"),
		Workgroup:      env.String("ATHENA_WORKGROUP"),
		Database:       env.String("ATHENA_DATABASE"),
		QueryTimeout:   time.Duration(env.IntRange("ATHENA_QUERY_TIMEOUT_SECONDS", 300, 10, 900)) * time.Second,
		QueryIDs:       env.JSONMap("COMPLIANCE_QUERY_IDS"),
		Bucket:         env.String("REPORT_BUCKET"),
		Prefix:         strings.Trim(env.StringOr("REPORT_PREFIX", "reports/compliance"), "/"),
		TrailARN:       env.ARN("TRAIL_ARN"),
		MaxDeliveryAge: time.Duration(env.IntRange("TRAIL_MAX_DELIVERY_AGE_MINUTES", 120, 5, 7*24*60)) * time.Minute,
		AllowedRegions: env.List("ALLOWED_REGIONS"),
	}
	if c.QueryIDs != nil {
		var missing []string
		for _, spec := range Controls {
			if strings.TrimSpace(c.QueryIDs[spec.Name]) == "" {
				missing = append(missing, spec.Name)
			}
		}
		if len(missing) > 0 {
			env.Fail("COMPLIANCE_QUERY_IDS", "no named query ID for %s", strings.Join(missing, ", "))
		}
	}
	return c, env.Err()
}

// Reporter is the compliance-reporter handler.
type Reporter struct {
	Config      ComplianceConfig
	Runner      QueryRunner
	NamedQuery  athena.NamedQueryAPI
	Trail       TrailStatusGetter
	Findings    FindingQuerier
	Objects     ObjectPutter
	Publisher   Publisher
	Now         func() time.Time
	Logger      *slog.Logger
	FindingDays int // days of findings charted (7)
}

// ComplianceResult summarises one run.
type ComplianceResult struct {
	Status   Status   `json:"status"`
	Complete bool     `json:"complete"`
	Keys     []string `json:"keys"`
	Topic    string   `json:"topic"`
}

// chartedSeverities are fetched in full for the charts; low and info are
// only counted, since they can be numerous and are never paged.
var chartedSeverities = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low}

// Handle builds the day's report, writes report.json and report.html and
// publishes the summary. Athena, trail or findings failures make the report
// incomplete (and say which part) but it is still written and published;
// only failing to write or publish it fails the invocation.
func (r *Reporter) Handle(ctx context.Context, ev events.CloudWatchEvent) (ComplianceResult, error) {
	run := *r // a per-invocation copy, so the request ID never sticks to the next one
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		run.Logger = r.logger().With("request_id", lc.AwsRequestID)
	}
	return run.handle(ctx, ev)
}

func (r *Reporter) handle(ctx context.Context, ev events.CloudWatchEvent) (ComplianceResult, error) {
	now := r.now()
	at := ev.Time.UTC()
	if at.IsZero() {
		at = now
	}
	days := r.FindingDays
	if days <= 0 {
		days = 7
	}
	rep := &Report{
		Title:       "ctap compliance report",
		Source:      fmt.Sprintf("Athena workgroup %s, database %s; findings table %s", r.Config.Workgroup, r.Config.Database, r.Config.FindingsTable),
		GeneratedAt: now.Format(time.RFC3339),
		PeriodStart: at.Add(-24 * time.Hour).Format(time.RFC3339),
		PeriodEnd:   at.Format(time.RFC3339),
	}
	rep.Controls = r.controls(ctx)
	rep.Trail = r.trailHealth(ctx, now)
	from := at.Truncate(24*time.Hour).AddDate(0, 0, -(days - 1))
	fs, counts, err := r.findings(ctx, from)
	if err != nil {
		rep.FindingsError = err.Error()
		r.logger().Error("findings unavailable for the report", "error", err)
	}
	rep.Findings = Summarize(fs, from, at, counts)
	rep.Finalize()

	res := ComplianceResult{Status: rep.Status, Complete: rep.Complete}
	dir := path.Join(r.Config.Prefix, at.Format("2006/01/02"))
	var js, page bytes.Buffer
	if err := rep.JSON(&js); err != nil {
		return res, err
	}
	if err := rep.HTML(&page); err != nil {
		return res, err
	}
	for _, obj := range []struct {
		name, ctype string
		body        []byte
	}{{"report.json", "application/json", js.Bytes()}, {"report.html", "text/html; charset=utf-8", page.Bytes()}} {
		key := path.Join(dir, obj.name)
		if _, err := r.Objects.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(r.Config.Bucket), Key: aws.String(key), Body: bytes.NewReader(obj.body),
			ContentType: aws.String(obj.ctype), ContentLength: aws.Int64(int64(len(obj.body))),
		}); err != nil {
			return res, fmt.Errorf("write s3://%s/%s: %w", r.Config.Bucket, key, err)
		}
		res.Keys = append(res.Keys, "s3://"+r.Config.Bucket+"/"+key)
	}

	res.Topic, err = r.publish(ctx, rep, res.Keys)
	r.logger().Info("compliance report written", "status", rep.Status, "complete", rep.Complete, "incomplete", rep.Incomplete, "keys", res.Keys, "topic", res.Topic)
	return res, err
}

// controls fetches the named queries and runs them concurrently; Athena
// queues what the workgroup cannot run at once.
func (r *Reporter) controls(ctx context.Context) []Control {
	sqls, err := athena.NamedQueries(ctx, r.NamedQuery, r.Config.QueryIDs)
	if err != nil {
		r.logger().Error("compliance named queries unavailable", "error", err)
	}
	out := make([]Control, len(Controls))
	var wg sync.WaitGroup
	for i, spec := range Controls {
		sql, ok := sqls[spec.Name]
		if !ok {
			why := "named query " + r.Config.QueryIDs[spec.Name] + " could not be fetched"
			if err != nil {
				why += ": " + err.Error()
			}
			out[i] = IncompleteControl(spec.Name, why)
			continue
		}
		wg.Add(1)
		go func(i int, name, sql string) {
			defer wg.Done()
			res, err := r.Runner.Run(ctx, name, sql)
			if err != nil {
				out[i] = IncompleteControl(name, err.Error())
				return
			}
			out[i] = Evaluate(name, res.Rows, r.Config.AllowedRegions)
		}(i, spec.Name, sql)
	}
	wg.Wait()
	return out
}

func (r *Reporter) trailHealth(ctx context.Context, now time.Time) TrailHealth {
	arn := r.Config.TrailARN
	st, err := r.Trail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		return UncheckedTrail(arn, "GetTrailStatus: "+err.Error())
	}
	tr, err := r.Trail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	if err != nil {
		return UncheckedTrail(arn, "GetTrail: "+err.Error())
	}
	validation := tr.Trail != nil && aws.ToBool(tr.Trail.LogFileValidationEnabled)
	var latest time.Time
	if st.LatestDeliveryTime != nil {
		latest = *st.LatestDeliveryTime
	}
	return CheckTrail(arn, aws.ToBool(st.IsLogging), validation, latest, aws.ToString(st.LatestDeliveryError), r.Config.MaxDeliveryAge, now)
}

func (r *Reporter) findings(ctx context.Context, since time.Time) ([]finding.Finding, map[finding.Severity]int, error) {
	counts, err := r.Findings.CountBySeverity(ctx, since)
	if err != nil {
		return nil, nil, err
	}
	var all []finding.Finding
	for _, sev := range chartedSeverities {
		fs, err := r.Findings.QueryBySeverity(ctx, sev, since)
		if err != nil {
			return nil, counts, err
		}
		all = append(all, fs...)
	}
	return all, counts, nil
}

// publish sends the summary: to the critical tier when trail health fails
// (nothing may be recording), else to medium.
func (r *Reporter) publish(ctx context.Context, rep *Report, keys []string) (string, error) {
	topic, sev := r.Config.TopicMedium, finding.Medium
	if rep.Trail.Status == Fail {
		topic, sev = r.Config.TopicCritical, finding.Critical
	}
	status := strings.ToUpper(string(rep.Status))
	if !rep.Complete && rep.Status != Incomplete {
		status += " (INCOMPLETE)"
	}
	subject := fmt.Sprintf("[%s] ctap compliance report %s: %s", strings.ToUpper(string(sev)), rep.PeriodEnd[:min(10, len(rep.PeriodEnd))], status)
	attrs := map[string]snstypes.MessageAttributeValue{
		"severity": {DataType: aws.String("String"), StringValue: aws.String(string(sev))},
		"rule_id":  {DataType: aws.String("String"), StringValue: aws.String("compliance-report")},
	}
	if acct := arnAccount(r.Config.TrailARN); acct != "" {
		attrs["account_id"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(acct)}
	}
	_, err := r.Publisher.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(topic), Subject: aws.String(subject), Message: aws.String(rep.Summary(keys...)), MessageAttributes: attrs,
	})
	if err != nil {
		return topic, fmt.Errorf("publish compliance summary to %s: %w", topic, err)
	}
	return topic, nil
}

// arnAccount is the account field of an ARN, "" when there is none.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func (r *Reporter) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Reporter) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}
