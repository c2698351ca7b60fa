package alert

import (
	"context"
	"fmt"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// Publisher sends one message to a topic; *sns.Client satisfies it.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Marker records that a finding was alerted on; the findings store satisfies it.
type Marker interface {
	MarkAlerted(ctx context.Context, findingID string, at time.Time) error
}

// Topics maps each paged severity to its SNS topic ARN.
type Topics map[finding.Severity]string

// Router is the alert-router handler.
type Router struct {
	Publisher  Publisher
	Topics     Topics
	Suppressor Suppressor
	Marker     Marker
	Window     time.Duration // named in messages; the Suppressor enforces it
	Now        func() time.Time
	Logger     *slog.Logger
}

// deadlineReserve is the time left at which Handle stops taking records.
const deadlineReserve = 3 * time.Second

// NewSNSRetryer is the retryer alert-router's SNS client uses: the SDK's
// standard retryer (which already treats Throttling and
// ThrottledException as retryable) with more attempts and a longer backoff
// cap, because a burst of findings is exactly when SNS throttles.
func NewSNSRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 8
		o.MaxBackoff = 10 * time.Second
	})
}

// Handle processes a DynamoDB stream batch. Only INSERT records are alerted
// on (a finding is inserted once; MarkAlerted's MODIFY must not re-alert).
//
// Stream batches are ordered per shard and Lambda resumes a failed batch from
// the lowest reported sequence number, re-delivering every record after it.
// So processing stops at the first failure and reports just that record:
// records after it would be delivered again anyway, and sending them now
// would only count them twice in the suppression window.
func (r *Router) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	log := r.logger()
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	for _, rec := range ev.Records {
		// Out of time: checkpoint here rather than let Lambda kill the
		// invocation, which would retry the whole batch (and re-count every
		// suppressed record in it).
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineReserve {
			log.Warn("invocation deadline near; batch resumes from this record", "sequence_number", rec.Change.SequenceNumber)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			break
		}
		if err := r.record(ctx, log, rec); err != nil {
			log.Error("alert failed; batch resumes from this record", "event_id", rec.EventID,
				"sequence_number", rec.Change.SequenceNumber, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			break
		}
	}
	return resp, nil
}

func (r *Router) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Router) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// record handles one stream record; an error means it must be retried.
func (r *Router) record(ctx context.Context, log *slog.Logger, rec events.DynamoDBEventRecord) error {
	log = log.With("event_id", rec.EventID, "sequence_number", rec.Change.SequenceNumber)
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		log.Debug("stream record ignored", "event_name", rec.EventName)
		return nil
	}
	f, err := store.FromStreamImage(rec.Change.NewImage)
	if err == nil && f.FindingID == "" {
		err = fmt.Errorf("no finding_id in NewImage")
	}
	if err != nil {
		// A retry cannot fix a malformed image; failing would block the shard.
		log.Error("stream record dropped: not a finding", "error", err)
		return nil
	}
	log = log.With("finding_id", f.FindingID, "rule_id", f.RuleID, "account_id", f.AccountID, "severity", f.Severity)
	if !f.Severity.Paged() {
		log.Debug("finding not paged", "reason", "severity below medium")
		return nil
	}
	topic := r.Topics[f.Severity]
	if topic == "" {
		return fmt.Errorf("no topic configured for severity %s", f.Severity)
	}
	key := Key(f.RuleID, f.AccountID)
	d, err := r.Suppressor.Claim(ctx, key, f.FindingID, r.now())
	if err != nil {
		return err
	}
	switch d.Outcome {
	case Suppress:
		log.Info("alert suppressed", "suppressed_in_window", d.Suppressed)
		return nil
	case AlreadySent:
		log.Info("alert already published for this finding; marking only")
	case Send:
		msg, err := Format(f, d.Suppressed, r.Window)
		if err == nil {
			err = r.publish(ctx, topic, msg)
		}
		if err != nil {
			if rerr := r.Suppressor.Release(ctx, key, f.FindingID, d); rerr != nil {
				log.Error("could not release the alert window after a failed publish", "error", rerr)
			}
			return fmt.Errorf("publish finding %s to %s: %w", f.FindingID, topic, err)
		}
		log.Info("alert published", "topic", topic, "suppressed_since_last", d.Suppressed)
	}
	// Only reached once publishing has succeeded (now or on an earlier try).
	if err := r.Marker.MarkAlerted(ctx, f.FindingID, r.now()); err != nil {
		return err
	}
	return nil
}

func (r *Router) publish(ctx context.Context, topic string, m Message) error {
	attrs := make(map[string]snstypes.MessageAttributeValue, len(m.Attributes))
	for k, v := range m.Attributes {
		if v == "" {
			continue // SNS rejects empty attribute values
		}
		attrs[k] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err := r.Publisher.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(topic),
		Subject:           aws.String(m.Subject),
		Message:           aws.String(m.Body),
		MessageAttributes: attrs,
	})
	return err
}
