// Package analyzer is the real-time detection path: it takes the raw payload
// event-analyzer receives (an EventBridge CloudTrail event or a CloudWatch
// Logs subscription batch), runs the shared rules and stores findings with
// the same IDs the S3 path produces, so that whichever path sees an event
// first, there is one finding.
package analyzer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// FindingWriter stores a finding; a duplicate is created=false, err=nil.
type FindingWriter interface {
	Put(ctx context.Context, f finding.Finding) (created bool, err error)
}

// Config is event-analyzer's environment.
type Config struct {
	LogLevel slog.Level
	Findings config.Findings
}

// LoadConfig reads LOG_LEVEL, FINDINGS_TABLE and FINDINGS_TTL_DAYS; the
// error names every missing or malformed variable.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{LogLevel: env.LogLevel(), Findings: env.Findings()}
	return c, env.Err()
}

// Analyzer is the event-analyzer handler.
type Analyzer struct {
	Engine *detect.Engine
	Writer FindingWriter
	Logger *slog.Logger
}

// Result summarises one invocation; Lambda logs it for asynchronous invokes.
type Result struct {
	Envelope string `json:"envelope"`
	Events   int    `json:"events"`
	Dropped  int    `json:"dropped"`
	Findings int    `json:"findings"`
	Created  int    `json:"created"`
}

// Handle decodes raw, detects and stores. A payload or record that cannot be
// decoded is logged and dropped (a retry would fail the same way) while the
// others are processed. A store failure returns an error after every finding
// has been tried, so Lambda's retries and the dead-letter target apply; the
// writes that did succeed are idempotent, so the retry duplicates nothing.
func (a *Analyzer) Handle(ctx context.Context, raw json.RawMessage) (Result, error) {
	start := time.Now()
	kind := cloudtrail.DetectEnvelope(raw)
	res := Result{Envelope: kind.String()}
	log := withRequestID(ctx, a.logger()).With("envelope", res.Envelope)

	var evs []*cloudtrail.Event
	switch kind {
	case cloudtrail.EnvelopeEventBridge:
		ev, err := cloudtrail.FromEventBridge(raw)
		switch {
		case errors.Is(err, cloudtrail.ErrNotCloudTrail):
			log.Info("event ignored: not a CloudTrail record", "reason", err.Error())
		case err != nil:
			res.Dropped++
			log.Error("event dropped: malformed", "error", err.Error(), "bytes", len(raw))
		default:
			evs = append(evs, ev)
		}
	case cloudtrail.EnvelopeCloudWatchLogs:
		var payload struct {
			AWSLogs struct {
				Data string `json:"data"`
			} `json:"awslogs"`
		}
		if err := json.Unmarshal(raw, &payload); err != nil {
			res.Dropped++
			log.Error("payload dropped: malformed CloudWatch Logs envelope", "error", err.Error())
			break
		}
		got, errs, err := cloudtrail.FromCloudWatchLogs(cloudtrailLogs(payload.AWSLogs.Data))
		if err != nil {
			res.Dropped++
			log.Error("payload dropped: unreadable CloudWatch Logs data", "error", err.Error())
			break
		}
		for _, e := range errs {
			res.Dropped++
			log.Error("log event dropped: malformed CloudTrail record", "error", e.Error())
		}
		evs = got
	default:
		res.Dropped++
		log.Error("payload dropped: neither an EventBridge event nor a CloudWatch Logs subscription", "bytes", len(raw), "head", head(raw))
	}
	res.Events = len(evs)

	// One session per invocation: aggregate rules count within the batch, and
	// their window IDs match the S3 path's for the same events.
	session := a.Engine.NewSession()
	var storeErrs []error
	for _, ev := range evs {
		for _, f := range session.Process(ev) {
			res.Findings++
			created, err := a.Writer.Put(ctx, f)
			if err != nil {
				storeErrs = append(storeErrs, fmt.Errorf("store finding %s (rule %s, event %s): %w", f.FindingID, f.RuleID, f.EventID, err))
				continue
			}
			if created {
				res.Created++
			}
		}
	}
	log.Info("payload processed", "events", res.Events, "dropped", res.Dropped, "findings", res.Findings,
		"created", res.Created, "store_errors", len(storeErrs), "duration_ms", time.Since(start).Milliseconds())
	if len(storeErrs) > 0 {
		return res, errors.Join(storeErrs...)
	}
	return res, nil
}

func (a *Analyzer) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// head is the start of a payload for a log line, never a whole event.
func head(raw []byte) string {
	const n = 200
	if len(raw) > n {
		return string(raw[:n]) + "..."
	}
	return string(raw)
}

func cloudtrailLogs(data string) events.CloudwatchLogsRawData {
	return events.CloudwatchLogsRawData{Data: data}
}

// withRequestID tags log lines with the Lambda request ID when there is one.
func withRequestID(ctx context.Context, log *slog.Logger) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return log.With("request_id", lc.AwsRequestID)
	}
	return log
}
