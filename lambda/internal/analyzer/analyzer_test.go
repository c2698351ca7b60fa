package analyzer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// stopLogging is a root StopLogging call: several rules fire on it.
const stopLogging = `{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE"},"eventTime":"2026-11-27T05:04:03Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.0","requestParameters":{"name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"},"responseElements":null,"requestID":"5d1c0f7e-0000-4000-8000-000000000001","eventID":"0b7c5e4c-1111-4222-8333-444455556666","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`

type memWriter struct {
	mu    sync.Mutex
	byID  map[string]finding.Finding
	err   error
	calls int
}

func (w *memWriter) Put(_ context.Context, f finding.Finding) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.err != nil {
		return false, w.err
	}
	if w.byID == nil {
		w.byID = map[string]finding.Finding{}
	}
	if _, ok := w.byID[f.FindingID]; ok {
		return false, nil
	}
	w.byID[f.FindingID] = f
	return true, nil
}

func (w *memWriter) ids() []string {
	var out []string
	for id := range w.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

var fixedNow = time.Date(2026, 11, 27, 5, 10, 0, 0, time.UTC)

func newAnalyzer(w FindingWriter) *Analyzer {
	return &Analyzer{
		Engine: detect.NewEngine(detect.Catalogue(), detect.Options{Now: func() time.Time { return fixedNow }}),
		Writer: w,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
}

func eventBridge(t *testing.T, record string) json.RawMessage {
	// Indented on purpose: the envelope's formatting must not change the IDs.
	var detail bytes.Buffer
	require.NoError(t, json.Indent(&detail, []byte(record), "", "    "))
	return json.RawMessage(`{"version":"0","id":"6f1e2a3b-0000-4000-8000-00000000abcd","detail-type":"AWS API Call via CloudTrail","source":"aws.cloudtrail","account":"111122223333","time":"2026-11-27T05:04:03Z","region":"us-east-1","resources":[],"detail":` + detail.String() + `}`)
}

func cloudWatchLogs(t *testing.T, messages ...string) json.RawMessage {
	type logEvent struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	data := map[string]any{
		"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "aws-cloudtrail-logs-org", "logStream": "111122223333_CloudTrail_us-east-1",
		"subscriptionFilters": []string{"ctap-event-analyzer"},
	}
	var les []logEvent
	for i, m := range messages {
		les = append(les, logEvent{ID: "id-" + string(rune('a'+i)), Timestamp: 1795496643000, Message: m})
	}
	data["logEvents"] = les
	plain, err := json.Marshal(data)
	require.NoError(t, err)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, err = zw.Write(plain)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return json.RawMessage(`{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(zipped.Bytes()) + `"}}`)
}

// s3Path is what log-processor does with a file holding the same record.
func s3Path(t *testing.T, record string) []finding.Finding {
	rd, err := cloudtrail.NewReader(strings.NewReader(`{"Records":[`+record+`]}`), "AWSLogs/o-1/111122223333/CloudTrail/us-east-1/2026/11/27/x.json")
	require.NoError(t, err)
	session := newAnalyzer(nil).Engine.NewSession()
	var out []finding.Finding
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		out = append(out, session.Process(ev)...)
	}
	return out
}

func TestOneRecordGivesTheSameFindingsOnEveryPath(t *testing.T) {
	fromS3 := s3Path(t, stopLogging)
	require.NotEmpty(t, fromS3, "the record must trigger at least one rule")
	var want []string
	for _, f := range fromS3 {
		want = append(want, f.FindingID)
		assert.Equal(t, finding.ID(f.RuleID, "0b7c5e4c-1111-4222-8333-444455556666"), f.FindingID)
	}
	sort.Strings(want)

	for name, payload := range map[string]json.RawMessage{
		"eventbridge":     eventBridge(t, stopLogging),
		"cloudwatch-logs": cloudWatchLogs(t, stopLogging),
	} {
		t.Run(name, func(t *testing.T) {
			w := &memWriter{}
			res, err := newAnalyzer(w).Handle(context.Background(), payload)
			require.NoError(t, err)
			assert.Equal(t, name, res.Envelope)
			assert.Equal(t, want, w.ids())
			for _, f := range fromS3 {
				got := w.byID[f.FindingID]
				assert.Equal(t, f.RuleID, got.RuleID)
				assert.Equal(t, f.EventTime, got.EventTime)
				assert.JSONEq(t, string(f.Evidence), string(got.Evidence), "evidence is the record whichever path read it")
			}
		})
	}

	// Both real-time paths into one store: the second sees only duplicates.
	w := &memWriter{}
	a := newAnalyzer(w)
	first, err := a.Handle(context.Background(), eventBridge(t, stopLogging))
	require.NoError(t, err)
	second, err := a.Handle(context.Background(), cloudWatchLogs(t, stopLogging))
	require.NoError(t, err)
	assert.Equal(t, len(want), first.Created)
	assert.Equal(t, 0, second.Created)
	assert.Equal(t, want, w.ids())
}

func TestMalformedInputIsDroppedWithoutFailingTheRest(t *testing.T) {
	cases := []struct {
		name        string
		payload     json.RawMessage
		wantEvents  int
		wantDropped int
	}{
		{"a bad log event among good ones", cloudWatchLogs(t, `{"eventName":`, stopLogging, `not json at all`), 1, 2},
		{"awslogs data that is not base64", json.RawMessage(`{"awslogs":{"data":"!!!"}}`), 0, 1},
		{"awslogs data that is not gzip", json.RawMessage(`{"awslogs":{"data":"aGVsbG8="}}`), 0, 1},
		{"eventbridge detail that is not an object", json.RawMessage(`{"detail-type":"AWS API Call via CloudTrail","detail":"oops"}`), 0, 1},
		{"eventbridge event that is not CloudTrail is ignored, not dropped", json.RawMessage(`{"detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}`), 0, 0},
		{"neither envelope", json.RawMessage(`{"hello":"world"}`), 0, 1},
		{"not JSON", json.RawMessage(`<xml/>`), 0, 1},
		{"empty", json.RawMessage(``), 0, 1},
		{"a control message", controlMessage(t), 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &memWriter{}
			res, err := newAnalyzer(w).Handle(context.Background(), tc.payload)
			require.NoError(t, err, "bad input is never retried")
			assert.Equal(t, tc.wantEvents, res.Events)
			assert.Equal(t, tc.wantDropped, res.Dropped)
			if tc.wantEvents > 0 {
				assert.NotEmpty(t, w.byID, "the good record still produces findings")
			}
		})
	}
}

func controlMessage(t *testing.T) json.RawMessage {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`))
	require.NoError(t, zw.Close())
	return json.RawMessage(`{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(zipped.Bytes()) + `"}}`)
}

func TestStoreFailureFailsTheInvocationSoLambdaRetries(t *testing.T) {
	w := &memWriter{err: errors.New("ProvisionedThroughputExceededException")}
	res, err := newAnalyzer(w).Handle(context.Background(), cloudWatchLogs(t, stopLogging, stopLogging))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ProvisionedThroughputExceededException")
	assert.Contains(t, err.Error(), "rule ")
	assert.Equal(t, res.Findings, w.calls, "every finding is attempted before failing")
	assert.Equal(t, 2, res.Events)
}

func TestLoadConfigNamesEveryBadVariable(t *testing.T) {
	_, err := LoadConfig(config.FromMap(map[string]string{"FINDINGS_TTL_DAYS": "ninety", "LOG_LEVEL": "loud"}))
	require.Error(t, err)
	var cerr *config.Error
	require.ErrorAs(t, err, &cerr)
	assert.ElementsMatch(t, []string{"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS"}, cerr.Names())

	c, err := LoadConfig(config.FromMap(map[string]string{"FINDINGS_TABLE": "ctap-findings-test"}))
	require.NoError(t, err)
	assert.Equal(t, "ctap-findings-test", c.Findings.Table)
	assert.Equal(t, 90*24*time.Hour, c.Findings.Retention)
}
