// Package ingest is the log-processor: it takes SQS batches of S3 event
// notifications for new CloudTrail log files, streams each file through the
// detection engine, and stores the findings. Only messages whose file could
// not be read at all, or whose findings could not be stored, are reported as
// batch item failures, so SQS redelivers exactly those (and eventually moves
// them to the DLQ) while the rest of the batch is deleted.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// ObjectGetter is the part of the S3 client the handler needs.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// MaxConcurrentFiles bounds how many files one invocation reads at once:
// enough to overlap S3 latency, few enough that a batch of large files stays
// within the function's memory (each reader holds one record at a time).
const MaxConcurrentFiles = 4

// Handler processes SQS batches. Build it with New.
type Handler struct {
	s3     ObjectGetter
	store  store.Writer
	engine *detect.Engine
	log    *slog.Logger
}

// New returns a handler. engine is shared across invocations (it is
// immutable); each invocation gets its own detection session.
func New(s3 ObjectGetter, w store.Writer, engine *detect.Engine, log *slog.Logger) *Handler {
	return &Handler{s3: s3, store: w, engine: engine, log: log}
}

// FileResult is what processing one object produced; it is also the
// structured log line for the file.
type FileResult struct {
	Bucket      string
	Key         string
	Kind        string // event, digest, insight or other; only event files are read
	Records     int    // events read
	Findings    int    // findings produced
	NewFindings int    // findings stored for the first time (the rest were duplicates)
	ParseErrors int    // malformed records skipped
	// FirstParseError says why the first malformed record was skipped.
	FirstParseError string
	Duration        time.Duration
	// Malformed is why the file's content stopped being readable after some
	// records were processed; those records count, the message succeeds.
	Malformed string
	// Err fails the message: the object could not be read at all, the
	// download broke, or a finding could not be stored.
	Err error
}

// Handle processes one SQS batch and reports the messages that failed.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	log := h.log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	session := h.engine.NewSession()

	type job struct {
		msg    int
		bucket string
		key    string
	}
	failed := make([]bool, len(ev.Records))
	var jobs []job
	for i, msg := range ev.Records {
		objs, err := objects(msg.Body)
		if err != nil {
			log.Error("unusable SQS message", "message_id", msg.MessageId, "error", err.Error())
			failed[i] = true
			continue
		}
		if len(objs) == 0 {
			log.Info("acknowledged message without objects (s3:TestEvent or no records)", "message_id", msg.MessageId)
		}
		for _, o := range objs {
			jobs = append(jobs, job{msg: i, bucket: o.bucket, key: o.key})
		}
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, MaxConcurrentFiles)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := h.ProcessObject(ctx, session, j.bucket, j.key)
			logResult(log, ev.Records[j.msg].MessageId, res)
			if res.Err != nil {
				mu.Lock()
				failed[j.msg] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp, nil
}

func logResult(log *slog.Logger, messageID string, r FileResult) {
	attrs := []any{
		"message_id", messageID,
		"bucket", r.Bucket,
		"key", r.Key,
		"kind", r.Kind,
		"records", r.Records,
		"findings", r.Findings,
		"new_findings", r.NewFindings,
		"parse_errors", r.ParseErrors,
		"duration_ms", r.Duration.Milliseconds(),
	}
	if r.FirstParseError != "" {
		attrs = append(attrs, "first_parse_error", r.FirstParseError)
	}
	switch {
	case r.Err != nil:
		log.Error("file failed", append(attrs, "error", r.Err.Error())...)
	case r.Malformed != "":
		log.Warn("file malformed; readable records processed", append(attrs, "reason", r.Malformed)...)
	case r.Kind != cloudtrail.KindEvent.String():
		log.Info("file skipped: not a CloudTrail event file", attrs...)
	default:
		log.Info("file processed", attrs...)
	}
}

type object struct{ bucket, key string }

// objects extracts the objects named by an SQS body holding an S3 event
// notification. The s3:TestEvent that S3 sends when notifications are
// configured yields no objects. Keys are decoded: S3 URL-encodes them, with
// '+' for a space.
func objects(body string) ([]object, error) {
	var probe struct {
		Event   string          `json:"Event"`
		Records json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal([]byte(body), &probe); err != nil {
		return nil, fmt.Errorf("body is not an S3 event notification: %w", err)
	}
	if probe.Event == "s3:TestEvent" {
		return nil, nil
	}
	if len(probe.Records) == 0 {
		return nil, errors.New("body is not an S3 event notification: no Records and not s3:TestEvent")
	}
	var n events.S3Event
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		return nil, fmt.Errorf("body is not an S3 event notification: %w", err)
	}
	var out []object
	for i, r := range n.Records {
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") && r.EventName != "" {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("record %d: object key %q is not URL-encoded: %w", i, r.S3.Object.Key, err)
		}
		if r.S3.Bucket.Name == "" || key == "" {
			return nil, fmt.Errorf("record %d: missing bucket or key", i)
		}
		out = append(out, object{bucket: r.S3.Bucket.Name, key: key})
	}
	return out, nil
}

// ProcessObject streams one object through the session and stores its
// findings. It never panics on content; see FileResult for the outcome.
func (h *Handler) ProcessObject(ctx context.Context, session *detect.Session, bucket, key string) FileResult {
	start := time.Now()
	res := FileResult{Bucket: bucket, Key: key, Kind: cloudtrail.ClassifyKey(key).String()}
	if cloudtrail.ClassifyKey(key) != cloudtrail.KindEvent {
		res.Duration = time.Since(start)
		return res
	}
	name := "s3://" + bucket + "/" + key
	out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		res.Err = fmt.Errorf("get %s: %w", name, err)
		res.Duration = time.Since(start)
		return res
	}
	defer out.Body.Close()
	body := &trackingReader{r: out.Body}

	stats, err := Scan(ctx, body, name, session, func(f finding.Finding) error {
		res.Findings++
		created, err := h.store.Put(ctx, f)
		if err != nil {
			return err
		}
		if created {
			res.NewFindings++
		}
		return nil
	})
	res.Records, res.ParseErrors, res.FirstParseError = stats.Records, stats.Malformed, stats.FirstMalformed
	switch {
	case err == nil:
	case body.err != nil:
		// The download broke, not the file: retry the whole message; the
		// findings already stored are duplicates on the next attempt.
		res.Err = fmt.Errorf("read %s: %w", name, body.err)
	case errors.Is(err, cloudtrail.ErrUnreadable) && stats.Records == 0 && stats.Malformed == 0:
		res.Err = err
	case errors.Is(err, cloudtrail.ErrUnreadable):
		res.Malformed = err.Error()
	default:
		res.Err = err
	}
	res.Duration = time.Since(start)
	return res
}

// trackingReader remembers a transport error from the object body, so that
// a broken download is not mistaken for a malformed file.
type trackingReader struct {
	r   io.Reader
	err error
}

func (t *trackingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && t.err == nil {
		t.err = err
	}
	return n, err
}
