package anomaly

import (
	"context"
	"errors"
	"fmt"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// QueryRunner runs one SQL query; *athena.Runner satisfies it.
type QueryRunner interface {
	Run(ctx context.Context, name, sql string) (*athena.Result, error)
}

// FindingWriter stores a finding; a duplicate is created=false, err=nil.
type FindingWriter interface {
	Put(ctx context.Context, f finding.Finding) (created bool, err error)
}

// Config is anomaly-detector's environment.
type Config struct {
	LogLevel       slog.Level
	Findings       config.Findings
	Workgroup      string        // ATHENA_WORKGROUP
	Database       string        // ATHENA_DATABASE
	Table          string        // ATHENA_TABLE (cloudtrail)
	QueryTimeout   time.Duration // ATHENA_QUERY_TIMEOUT_SECONDS (300)
	AllowedRegions []string      // ALLOWED_REGIONS
	Thresholds     Thresholds
}

// LoadConfig reads anomaly-detector's variables; the error names every
// missing or malformed one.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		LogLevel:       env.LogLevel(),
		Findings:       env.Findings(),
		Workgroup:      env.String("ATHENA_WORKGROUP"),
		Database:       env.String("ATHENA_DATABASE"),
		Table:          env.StringOr("ATHENA_TABLE", "cloudtrail"),
		QueryTimeout:   time.Duration(env.IntRange("ATHENA_QUERY_TIMEOUT_SECONDS", 300, 10, 900)) * time.Second,
		AllowedRegions: env.List("ALLOWED_REGIONS"),
		Thresholds: Thresholds{
			BaselineDays:    env.IntRange("ANOMALY_BASELINE_DAYS", 7, 1, 90),
			ZScore:          env.Float("ANOMALY_ZSCORE", 3.0),
			MinCalls:        env.IntRange("ANOMALY_MIN_CALLS", 100, 1, 1<<30),
			AccessDeniedMin: env.IntRange("ANOMALY_ACCESS_DENIED_MIN", 20, 1, 1<<30),
			BulkReadMin:     env.IntRange("ANOMALY_BULK_READ_MIN", 100, 1, 1<<30),
		},
	}
	if c.Thresholds.ZScore <= 0 {
		env.Fail("ANOMALY_ZSCORE", "%g must be greater than 0", c.Thresholds.ZScore)
	}
	for _, v := range []struct{ name, val string }{{"ATHENA_DATABASE", c.Database}, {"ATHENA_TABLE", c.Table}} {
		if v.val != "" && !ValidIdentifier(v.val) {
			env.Fail(v.name, "%q is not a Glue name (letters, digits, underscores)", v.val)
		}
	}
	return c, env.Err()
}

// Detector is the anomaly-detector handler.
type Detector struct {
	Runner         QueryRunner
	Writer         FindingWriter
	Database       string
	Table          string
	Thresholds     Thresholds
	AllowedRegions []string
	Retention      time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Result summarises one run.
type Result struct {
	WindowStart   string   `json:"window_start"`
	Anomalies     int      `json:"anomalies"`
	Created       int      `json:"created"`
	FailedQueries []string `json:"failed_queries"`
}

// Handle runs every query for the hour before the schedule's time (the
// event's time, so that a retried invocation analyses the same hour), turns
// anomalies into findings and stores them. A failed query does not stop the
// others; any failure (query, row or store) is returned at the end so that
// the asynchronous retry and the dead-letter target apply, and the findings
// already stored are de-duplicated on the retry.
func (d *Detector) Handle(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	now := d.now()
	at := ev.Time
	if at.IsZero() {
		at = now
	}
	p := NewPeriod(at, d.Thresholds.BaselineDays)
	log := d.logger().With("window_start", p.Start.Format(time.RFC3339))
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	res := Result{WindowStart: p.Start.Format(time.RFC3339), FailedQueries: []string{}}

	queries := Queries(d.Database, d.Table, p, d.Thresholds)
	names := make([]string, 0, len(queries))
	for n := range queries {
		names = append(names, n)
	}
	sort.Strings(names)
	// The queries run concurrently (Athena queues what the workgroup cannot
	// run at once): one after another, six of them could outlast the
	// function's 15 minutes.
	outs := make([]*athena.Result, len(names))
	qerrs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], qerrs[i] = d.Runner.Run(ctx, name, queries[name])
		}()
	}
	wg.Wait()

	var errs []error
	for i, name := range names {
		out, err := outs[i], qerrs[i]
		if err != nil {
			res.FailedQueries = append(res.FailedQueries, name)
			errs = append(errs, err)
			log.Error("anomaly query failed", "query", name, "error", err.Error(), "scan_limit", errors.Is(err, athena.ErrScanLimit))
			continue
		}
		anomalies, rowErrs := Score(name, out.Rows, p, d.Thresholds, d.AllowedRegions)
		for _, e := range rowErrs {
			log.Error("anomaly row skipped", "query", name, "error", e.Error())
		}
		for _, a := range anomalies {
			f := a.Finding(p, now, d.Retention)
			res.Anomalies++
			created, err := d.Writer.Put(ctx, f)
			if err != nil {
				errs = append(errs, fmt.Errorf("store anomaly finding %s (%s): %w", f.FindingID, f.RuleID, err))
				continue
			}
			if created {
				res.Created++
			}
		}
		log.Info("anomaly query scored", "query", name, "rows", len(out.Rows), "anomalies", len(anomalies), "bytes_scanned", out.BytesScanned)
	}
	log.Info("anomaly run finished", "anomalies", res.Anomalies, "created", res.Created, "failed_queries", res.FailedQueries)
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	return res, nil
}

func (d *Detector) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *Detector) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}
