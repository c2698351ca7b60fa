package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// awslogsPayload encodes CloudwatchLogsData the way CloudWatch Logs hands it
// to a subscribed Lambda function: gzip, then base64.
func awslogsPayload(t testing.TB, plain []byte) []byte {
	t.Helper()
	b, err := json.Marshal(events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{
		Data: base64.StdEncoding.EncodeToString(gz(t, plain)),
	}})
	require.NoError(t, err)
	return b
}

// summary is what the golden files pin: the fields and accessor results the
// detections rely on, and the errors.
type summary struct {
	Envelope string         `json:"envelope"`
	Events   []eventSummary `json:"events"`
	Errors   []string       `json:"errors,omitempty"`
	Error    string         `json:"error,omitempty"`
}

type eventSummary struct {
	EventID       string `json:"eventID"`
	EventName     string `json:"eventName"`
	BaseEventName string `json:"baseEventName"`
	EventSource   string `json:"eventSource"`
	EventType     string `json:"eventType"`
	EventTime     string `json:"eventTime"`
	AccountID     string `json:"accountID"`
	Region        string `json:"region"`
	PrincipalARN  string `json:"principalARN"`
	IdentityType  string `json:"identityType"`
	SourceIP      string `json:"sourceIP"`
	ErrorCode     string `json:"errorCode,omitempty"`
	IsRoot        bool   `json:"isRoot"`
	MFAUsed       bool   `json:"mfaUsed"`
	SessionMFA    bool   `json:"sessionMFA"`
	AccessDenied  bool   `json:"accessDenied"`
	ConsoleLogin  string `json:"consoleLogin,omitempty"`
	RawBytes      int    `json:"rawBytes"`
}

func summarise(ev *Event) eventSummary {
	return eventSummary{
		EventID: ev.EventID, EventName: ev.EventName, BaseEventName: ev.BaseEventName(), EventSource: ev.EventSource,
		EventType: ev.EventType, EventTime: ev.EventTime, AccountID: ev.AccountID(), Region: ev.AWSRegion,
		PrincipalARN: ev.PrincipalARN(), IdentityType: ev.UserIdentity.Type, SourceIP: ev.SourceIPAddress,
		ErrorCode: ev.ErrorCode, IsRoot: ev.IsRoot(), MFAUsed: ev.MFAUsed(), SessionMFA: ev.SessionMFA(),
		AccessDenied: ev.IsAccessDenied(), ConsoleLogin: ev.ConsoleLoginResult(), RawBytes: len(ev.Raw),
	}
}

func decodePayload(t *testing.T, payload []byte) summary {
	s := summary{Envelope: DetectEnvelope(payload).String(), Events: []eventSummary{}}
	switch DetectEnvelope(payload) {
	case EnvelopeEventBridge:
		ev, err := FromEventBridge(payload)
		if err != nil {
			s.Error = err.Error()
			return s
		}
		s.Events = append(s.Events, summarise(ev))
	case EnvelopeCloudWatchLogs:
		var in events.CloudwatchLogsEvent
		require.NoError(t, json.Unmarshal(payload, &in))
		evs, errs, err := FromCloudWatchLogs(in.AWSLogs)
		if err != nil {
			s.Error = err.Error()
			return s
		}
		for _, ev := range evs {
			s.Events = append(s.Events, summarise(ev))
		}
		for _, e := range errs {
			require.ErrorIs(t, e, ErrMalformedRecord)
			s.Errors = append(s.Errors, e.Error())
		}
	default:
		s.Error = "unknown envelope"
	}
	return s
}

func TestEnvelopeGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "envelopes", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(in)
			require.NoError(t, err)
			if strings.HasPrefix(name, "cloudwatch-logs") {
				payload = awslogsPayload(t, payload)
			}
			got, err := json.MarshalIndent(decodePayload(t, payload), "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create %s", golden)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// The same record arriving by S3 file, EventBridge and CloudWatch Logs must
// decode to the same Event, or the two detection paths would disagree on
// finding IDs and fields.
func TestSameRecordSameEventOnEveryPath(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			pretty, err := os.ReadFile(filepath.Join("testdata", "records", f.name+".json"))
			require.NoError(t, err)

			o := readAll(t, gz(t, envelope(f.compact)))
			require.Len(t, o.events, 1)
			fromFile := o.events[0]

			// Built by hand: json.Marshal would HTML-escape the detail.
			ebPayload := []byte(`{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.test",` +
				`"account":"111122223333","time":"2026-11-20T00:00:00Z","region":"us-east-1","resources":[],"detail":` +
				string(pretty) + "}")
			fromEB, err := FromEventBridge(ebPayload)
			require.NoError(t, err)

			cwl, err := json.Marshal(events.CloudwatchLogsData{MessageType: "DATA_MESSAGE", LogGroup: "g", LogStream: "s",
				LogEvents: []events.CloudwatchLogsLogEvent{{ID: "1", Timestamp: 1, Message: string(f.compact)}}})
			require.NoError(t, err)
			var in events.CloudwatchLogsEvent
			require.NoError(t, json.Unmarshal(awslogsPayload(t, cwl), &in))
			fromCWL, errs, err := FromCloudWatchLogs(in.AWSLogs)
			require.NoError(t, err)
			require.Empty(t, errs)
			require.Len(t, fromCWL, 1)

			assert.Equal(t, fromFile, fromEB, "EventBridge (pretty-printed detail) equals the file record, Raw included")
			assert.Equal(t, fromFile, fromCWL[0], "CloudWatch Logs message equals the file record")
			assert.NotEmpty(t, fromFile.EventID)
		})
	}
}

func TestFromEventBridgeErrors(t *testing.T) {
	_, err := FromEventBridge([]byte(`{"detail-type":"Scheduled Event","detail":{}}`))
	assert.ErrorIs(t, err, ErrNotCloudTrail)
	assert.ErrorContains(t, err, `"Scheduled Event"`)

	_, err = FromEventBridge([]byte(`not json`))
	assert.ErrorIs(t, err, ErrUnreadable)

	_, err = FromEventBridge([]byte(`{"detail-type":"AWS API Call via CloudTrail"}`))
	assert.ErrorIs(t, err, ErrMalformedRecord, "a CloudTrail event without a detail")

	_, err = FromCloudWatchEvent(events.CloudWatchEvent{DetailType: "AWS Console Action via CloudTrail",
		Detail: json.RawMessage(`{"eventName":"DeleteTrail","eventID":"x"}`)})
	assert.NoError(t, err, "console actions carry records too")
}

func TestFromCloudWatchLogsErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		msg  string
	}{
		{"not base64", "%%%not-base64%%%", "not base64"},
		{"not gzip", base64.StdEncoding.EncodeToString([]byte("plain text")), "not gzip"},
		{"truncated gzip", base64.StdEncoding.EncodeToString(gz(t, []byte(strings.Repeat(`{"logEvents":[]}`, 100)))[:30]), "corrupt gzip"},
		{"not JSON inside", base64.StdEncoding.EncodeToString(gz(t, []byte("hello"))), "awslogs.data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, errs, err := FromCloudWatchLogs(events.CloudwatchLogsRawData{Data: tc.data})
			assert.Nil(t, evs)
			assert.Nil(t, errs)
			assert.ErrorIs(t, err, ErrUnreadable)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestFromCloudWatchLogsRefusesGzipBombs(t *testing.T) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	chunk := make([]byte, 1<<20)
	for range MaxCloudWatchLogsBytes>>20 + 1 {
		_, err := zw.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.Less(t, buf.Len(), 1<<20, "the bomb is small compressed")
	_, _, err = FromCloudWatchLogs(events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(buf.Bytes())})
	assert.ErrorIs(t, err, ErrUnreadable)
	assert.ErrorContains(t, err, "decompresses to more than")
}

func TestDetectEnvelope(t *testing.T) {
	tests := map[string]EnvelopeKind{
		`{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"x"}}`: EnvelopeEventBridge,
		`{"detail":{},"detail-type":"Scheduled Event"}`:                                          EnvelopeEventBridge,
		`{"awslogs":{"data":"H4sIAAAA"}}`:                                                        EnvelopeCloudWatchLogs,
		` {"awslogs":{"data":42}}`:                                                               EnvelopeUnknown,
		`{"detail-type":"x"}`:                                                                    EnvelopeUnknown,
		`{"Records":[{"eventSource":"aws:s3"}]}`:                                                 EnvelopeUnknown,
		`[]`:                                                                                     EnvelopeUnknown,
		``:                                                                                       EnvelopeUnknown,
		`{"awslogs":`:                                                                            EnvelopeUnknown,
	}
	for in, want := range tests {
		assert.Equal(t, want, DetectEnvelope([]byte(in)), in)
	}
}

func TestParseRecordErrors(t *testing.T) {
	for _, in := range []string{``, `  `, `"x"`, `[{}]`, `{"eventName":1}`, `{`} {
		_, err := ParseRecord([]byte(in))
		assert.True(t, errors.Is(err, ErrMalformedRecord), "%q: %v", in, err)
	}
}
