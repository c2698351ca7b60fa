package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/ingest"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

const bucket = "org-trail-logs"

// fakeS3 starts gofakes3 with an in-memory backend and returns a real SDK
// client pointed at it.
func fakeS3(t *testing.T) (*s3.Client, gofakes3.Backend) {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, backend.CreateBucket(bucket))
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
	})
	return client, backend
}

func putObject(t *testing.T, b gofakes3.Backend, key string, data []byte) {
	t.Helper()
	_, err := b.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil)
	require.NoError(t, err)
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// example returns a rule's positive (or negative) example with its eventID
// replaced, so that each planted record has its own finding ID.
func example(t *testing.T, ruleID string, positive bool, eventID string) string {
	t.Helper()
	for _, r := range detect.Catalogue() {
		if r.ID != ruleID {
			continue
		}
		src := r.Examples.Negative
		if positive {
			src = r.Examples.Positive
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(src), &m))
		m["eventID"] = eventID
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
	t.Fatalf("no rule %s", ruleID)
	return ""
}

// benign is a read-only call that no rule fires on.
func benign(eventID string) string {
	return `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/carol","accountId":"111122223333","userName":"carol"},` +
		`"eventTime":"2026-01-15T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",` +
		`"userAgent":"aws-cli/2.15.0","requestParameters":{"maxResults":100},"responseElements":null,"eventID":"` + eventID + `","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
}

func envelope(records ...string) []byte {
	return []byte(`{"Records":[` + strings.Join(records, ",") + `]}`)
}

// notification is an SQS body as S3 sends it, with the key URL-encoded.
func notification(keys ...string) string {
	var recs []events.S3EventRecord
	for _, k := range keys {
		r := events.S3EventRecord{EventSource: "aws:s3", EventName: "ObjectCreated:Put", AWSRegion: "us-east-1"}
		r.S3.Bucket.Name = bucket
		r.S3.Object.Key = strings.ReplaceAll(url.QueryEscape(k), "%2F", "/")
		recs = append(recs, r)
	}
	b, _ := json.Marshal(events.S3Event{Records: recs})
	return string(b)
}

func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("msg-%d", i), Body: b})
	}
	return ev
}

const (
	eventKey   = "AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1/2026/01/15/111122223333_CloudTrail_us-east-1_20260115T1005Z_abc.json.gz"
	spacedKey  = "AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1/2026/01/15/111122223333_CloudTrail_us-east-1_20260115T1010Z_with space+plus.json.gz"
	digestKey  = "AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/us-east-1/2026/01/15/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260115T1005Z.json.gz"
	missingKey = "AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1/2026/01/15/111122223333_CloudTrail_us-east-1_20260115T1100Z_gone.json.gz"
)

type failingWriter struct{}

func (failingWriter) Put(context.Context, finding.Finding) (bool, error) {
	return false, errors.New("dynamodb unavailable")
}

type harness struct {
	h    *ingest.Handler
	mem  *store.Memory
	s3   gofakes3.Backend
	logs *bytes.Buffer
}

func newHarness(t *testing.T, w store.Writer) harness {
	client, backend := fakeS3(t)
	mem := store.NewMemory()
	if w == nil {
		w = mem
	}
	var logs bytes.Buffer
	engine := detect.NewEngine(detect.Catalogue(), detect.Options{Now: func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }})
	return harness{
		h:    ingest.New(client, w, engine, slog.New(slog.NewJSONHandler(&logs, nil))),
		mem:  mem,
		s3:   backend,
		logs: &logs,
	}
}

func (h harness) handle(t *testing.T, ev events.SQSEvent) events.SQSEventResponse {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-123"})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := h.h.Handle(ctx, ev)
	require.NoError(t, err)
	return resp
}

func failures(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// logLines decodes the JSON log lines whose "key" is key.
func logLines(t *testing.T, logs *bytes.Buffer, key string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["key"] == key {
			out = append(out, m)
		}
	}
	return out
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID)
	}
	return out
}

func TestHandleGoodFileStoresFindingsAndLogsOneLine(t *testing.T) {
	h := newHarness(t, nil)
	putObject(t, h.s3, eventKey, gz(t, envelope(
		example(t, "cis-4.3-root-usage", true, "e-root"),
		example(t, "evasion-stop-logging", true, "e-stop"),
		example(t, "evasion-stop-logging", false, "e-benign"),
	)))

	resp := h.handle(t, sqsEvent(notification(eventKey)))
	assert.Empty(t, failures(resp))

	got := h.mem.All()
	assert.Contains(t, rules(got), "cis-4.3-root-usage")
	assert.Contains(t, rules(got), "evasion-stop-logging")
	f, ok := h.mem.Get(finding.ID("evasion-stop-logging", "e-stop"))
	require.True(t, ok)
	assert.Equal(t, "e-stop", f.EventID)
	assert.NotEmpty(t, f.Evidence)

	lines := logLines(t, h.logs, eventKey)
	require.Len(t, lines, 1, "one log line per file")
	l := lines[0]
	assert.Equal(t, "req-123", l["request_id"])
	assert.Equal(t, bucket, l["bucket"])
	assert.EqualValues(t, 3, l["records"])
	assert.EqualValues(t, len(got), l["findings"])
	assert.EqualValues(t, len(got), l["new_findings"])
	assert.EqualValues(t, 0, l["parse_errors"])
	assert.Contains(t, l, "duration_ms")
}

func TestHandleDecodesURLEncodedKeys(t *testing.T) {
	h := newHarness(t, nil)
	putObject(t, h.s3, spacedKey, gz(t, envelope(example(t, "cis-4.3-root-usage", true, "e-1"))))
	body := notification(spacedKey)
	require.Contains(t, body, "with+space%2Bplus", "S3 encodes a space as + and + as %2B")

	resp := h.handle(t, sqsEvent(body))
	assert.Empty(t, failures(resp))
	assert.Equal(t, 1, h.mem.Len())
}

func TestHandleSkipsDigestAndNonCloudTrailKeys(t *testing.T) {
	h := newHarness(t, nil)
	// Not even present in the bucket: a skipped key is never fetched.
	resp := h.handle(t, sqsEvent(notification(digestKey), notification("AWSLogs/o-abc123def4/111122223333/elasticloadbalancing/x.log.gz")))
	assert.Empty(t, failures(resp))
	assert.Equal(t, 0, h.mem.Len())
	lines := logLines(t, h.logs, digestKey)
	require.Len(t, lines, 1)
	assert.Equal(t, "digest", lines[0]["kind"])
}

func TestHandleAcknowledgesS3TestEvent(t *testing.T) {
	h := newHarness(t, nil)
	body := `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-15T10:00:00.000Z","Bucket":"org-trail-logs","RequestId":"X","HostId":"Y"}`
	resp := h.handle(t, sqsEvent(body))
	assert.Empty(t, failures(resp))
}

func TestHandleFailsOnlyTheMessageWhoseObjectIsMissing(t *testing.T) {
	h := newHarness(t, nil)
	putObject(t, h.s3, eventKey, gz(t, envelope(example(t, "cis-4.3-root-usage", true, "e-1"))))
	resp := h.handle(t, sqsEvent(notification(eventKey), notification(missingKey)))
	assert.Equal(t, []string{"msg-1"}, failures(resp))
	assert.Equal(t, 1, h.mem.Len(), "the good message's finding is stored")
	lines := logLines(t, h.logs, missingKey)
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0]["error"], "NoSuchKey")
}

func TestHandleOutcomeByFileContent(t *testing.T) {
	good := example(t, "cis-4.3-root-usage", true, "e-good-1")
	good2 := example(t, "evasion-stop-logging", true, "e-good-2")
	long := []string{good, good2}
	for i := 0; i < 2000; i++ {
		long = append(long, benign(fmt.Sprintf("benign-%d", i)))
	}
	truncated := gz(t, envelope(long...))
	truncated = truncated[:len(truncated)*2/3] // a download cut short by the writer, not by the network

	tests := []struct {
		name        string
		data        []byte
		wantFail    bool
		wantRecords int // exact, or with wantSome: at least this many and fewer than all
		wantSome    bool
		wantParse   int
		wantStored  []string // finding IDs that must be stored
		wantReason  string   // in the log line's reason or error
	}{
		{
			name: "malformed records are skipped and the rest processed",
			data: gz(t, envelope(good, `42`, `{"eventName":5}`, good2)), wantRecords: 2, wantParse: 2,
			wantStored: []string{finding.ID("cis-4.3-root-usage", "e-good-1"), finding.ID("evasion-stop-logging", "e-good-2")},
		},
		{
			name: "truncated gzip keeps the records before the cut", data: truncated, wantRecords: 2, wantSome: true,
			wantStored: []string{finding.ID("cis-4.3-root-usage", "e-good-1"), finding.ID("evasion-stop-logging", "e-good-2")},
			wantReason: "unreadable",
		},
		{name: "not gzip and not JSON fails the message", data: []byte("PK\x03\x04 this is a zip"), wantFail: true, wantReason: "unreadable"},
		{name: "gzip of text that is not JSON fails the message", data: gz(t, []byte("hello world")), wantFail: true, wantReason: "unreadable"},
		{name: "empty Records array is fine", data: gz(t, []byte(`{"Records":[]}`))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			putObject(t, h.s3, eventKey, tc.data)
			resp := h.handle(t, sqsEvent(notification(eventKey)))
			if tc.wantFail {
				assert.Equal(t, []string{"msg-0"}, failures(resp))
			} else {
				assert.Empty(t, failures(resp))
			}
			for _, id := range tc.wantStored {
				_, ok := h.mem.Get(id)
				assert.True(t, ok, "finding %s stored", id)
			}
			lines := logLines(t, h.logs, eventKey)
			require.Len(t, lines, 1)
			if tc.wantSome {
				n := lines[0]["records"].(float64)
				assert.True(t, n >= float64(tc.wantRecords) && n < 2002, "records %v", n)
			} else {
				assert.EqualValues(t, tc.wantRecords, lines[0]["records"])
			}
			assert.EqualValues(t, tc.wantParse, lines[0]["parse_errors"])
			if tc.wantReason != "" {
				assert.Contains(t, fmt.Sprint(lines[0]["reason"], lines[0]["error"]), tc.wantReason)
			}
		})
	}
}

func TestHandleStoreFailureFailsTheMessage(t *testing.T) {
	h := newHarness(t, failingWriter{})
	putObject(t, h.s3, eventKey, gz(t, envelope(example(t, "cis-4.3-root-usage", true, "e-1"))))
	putObject(t, h.s3, spacedKey, gz(t, envelope(benign("e-2"))))
	resp := h.handle(t, sqsEvent(notification(eventKey), notification(spacedKey)))
	assert.Equal(t, []string{"msg-0"}, failures(resp), "the file without findings needs no store and succeeds")
	lines := logLines(t, h.logs, eventKey)
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0]["error"], "dynamodb unavailable")
}

func TestHandleDuplicateDeliveryCreatesNoNewFindings(t *testing.T) {
	h := newHarness(t, nil)
	putObject(t, h.s3, eventKey, gz(t, envelope(
		example(t, "cis-4.3-root-usage", true, "e-1"),
		example(t, "evasion-stop-logging", true, "e-2"),
	)))
	ev := sqsEvent(notification(eventKey))
	assert.Empty(t, failures(h.handle(t, ev)))
	n := h.mem.Len()
	require.Positive(t, n)
	assert.Empty(t, failures(h.handle(t, ev)))
	assert.Equal(t, n, h.mem.Len())
	lines := logLines(t, h.logs, eventKey)
	require.Len(t, lines, 2)
	assert.EqualValues(t, n, lines[1]["findings"])
	assert.EqualValues(t, 0, lines[1]["new_findings"])
}

func TestHandleFailsMessageThatIsNotANotification(t *testing.T) {
	h := newHarness(t, nil)
	resp := h.handle(t, sqsEvent(`not json`, `{"foo":1}`, notification(digestKey)))
	assert.Equal(t, []string{"msg-0", "msg-1"}, failures(resp))
}

func TestHandleAggregateRuleFiresAcrossFilesOfOneBatch(t *testing.T) {
	var agg detect.Rule
	for _, r := range detect.Catalogue() {
		if r.ID == "credential-bulk-secret-reads" {
			agg = r
		}
	}
	require.NotNil(t, agg.Aggregate)
	h := newHarness(t, nil)
	var keys []string
	// Split Threshold matching events over two files.
	for part := 0; part < 2; part++ {
		var recs []string
		for i := part; i < agg.Aggregate.Threshold; i += 2 {
			recs = append(recs, example(t, agg.ID, true, fmt.Sprintf("e-%d", i)))
		}
		key := strings.Replace(eventKey, "_abc.json.gz", fmt.Sprintf("_part%d.json.gz", part), 1)
		putObject(t, h.s3, key, gz(t, envelope(recs...)))
		keys = append(keys, key)
	}
	resp := h.handle(t, sqsEvent(notification(keys[0]), notification(keys[1])))
	assert.Empty(t, failures(resp))
	assert.Equal(t, []string{agg.ID}, rules(h.mem.All()))
}

// brokenGetter serves the first half of an object, then a network error.
type brokenGetter struct{ data []byte }

func (b brokenGetter) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	half := bytes.NewReader(b.data[:len(b.data)/2])
	return &s3.GetObjectOutput{Body: io.NopCloser(io.MultiReader(half, errReader{}))}, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

func TestHandleBrokenDownloadFailsTheMessageForRetry(t *testing.T) {
	var recs []string
	for i := 0; i < 2000; i++ {
		recs = append(recs, benign(fmt.Sprintf("b-%d", i)))
	}
	mem := store.NewMemory()
	var logs bytes.Buffer
	h := ingest.New(brokenGetter{data: gz(t, envelope(recs...))}, mem, detect.NewEngine(detect.Catalogue(), detect.Options{}), slog.New(slog.NewJSONHandler(&logs, nil)))
	resp, err := h.Handle(context.Background(), sqsEvent(notification(eventKey)))
	require.NoError(t, err)
	assert.Equal(t, []string{"msg-0"}, failures(resp), "a cut download is retried, not taken for a malformed file")
	assert.Contains(t, logs.String(), "connection reset by peer")
}
