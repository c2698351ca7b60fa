package cloudtrail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/klauspost/compress/gzip"
)

// ErrNotCloudTrail marks a real-time event that is not a CloudTrail record
// (an unknown EventBridge detail-type, or a payload that is neither envelope).
var ErrNotCloudTrail = errors.New("not a CloudTrail event")

// MaxCloudWatchLogsBytes bounds the decompressed size of one CloudWatch Logs
// subscription payload. CloudWatch Logs sends at most 1 MB, so anything far
// larger is a gzip bomb, refused before it fills the function's memory.
const MaxCloudWatchLogsBytes = 64 << 20

// CloudTrail's EventBridge detail-types; each event's detail is one record.
var cloudTrailDetailTypes = map[string]bool{
	"AWS API Call via CloudTrail":        true,
	"AWS Console Sign In via CloudTrail": true,
	"AWS Console Action via CloudTrail":  true,
	"AWS Service Event via CloudTrail":   true,
	"AWS Insight via CloudTrail":         false, // an Insights event, not a record
}

// IsCloudTrailDetailType reports whether an EventBridge detail-type carries a
// CloudTrail record as its detail.
func IsCloudTrailDetailType(detailType string) bool {
	return cloudTrailDetailTypes[detailType]
}

// EnvelopeKind is the shape of a real-time payload.
type EnvelopeKind int

// The payloads event-analyzer receives.
const (
	EnvelopeUnknown        EnvelopeKind = iota // neither
	EnvelopeEventBridge                        // has "detail-type" and "detail"
	EnvelopeCloudWatchLogs                     // has "awslogs": {"data": ...}
)

// String names the kind for logs.
func (k EnvelopeKind) String() string {
	switch k {
	case EnvelopeEventBridge:
		return "eventbridge"
	case EnvelopeCloudWatchLogs:
		return "cloudwatch-logs"
	}
	return "unknown"
}

// DetectEnvelope says which decoder a raw Lambda payload needs: EventBridge
// when it has "detail-type" and "detail", CloudWatch Logs when it has
// "awslogs": {"data": ...}, else unknown.
func DetectEnvelope(raw []byte) EnvelopeKind {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 || v[0] != '{' {
		return EnvelopeUnknown
	}
	if _, ok := LookupRaw(v, "detail-type"); ok {
		if _, ok := LookupRaw(v, "detail"); ok {
			return EnvelopeEventBridge
		}
	}
	if d, ok := LookupRaw(v, "awslogs", "data"); ok && d[0] == '"' {
		return EnvelopeCloudWatchLogs
	}
	return EnvelopeUnknown
}

// FromEventBridge decodes an EventBridge event whose detail is a CloudTrail
// record (detail-types "AWS API Call via CloudTrail", "AWS Console Sign In via
// CloudTrail", "AWS Console Action via CloudTrail", "AWS Service Event via
// CloudTrail"). Any other detail-type is ErrNotCloudTrail; a bad detail is
// ErrMalformedRecord; a payload that is not an EventBridge event is
// ErrUnreadable.
func FromEventBridge(raw []byte) (*Event, error) {
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, &ParseError{Name: "eventbridge", Record: -1, Offset: -1, Kind: ErrUnreadable, Err: err}
	}
	return FromCloudWatchEvent(ev)
}

// FromCloudWatchEvent is FromEventBridge for an event the Lambda runtime has
// already decoded. The Event's Raw is the detail, compacted.
func FromCloudWatchEvent(ev events.CloudWatchEvent) (*Event, error) {
	name := fmt.Sprintf("eventbridge %s", ev.ID)
	if !cloudTrailDetailTypes[ev.DetailType] {
		return nil, fmt.Errorf("%s: detail-type %q: %w", name, ev.DetailType, ErrNotCloudTrail)
	}
	out, err := decodeCompact(ev.Detail)
	if err != nil {
		return nil, &ParseError{Name: name, Record: -1, Offset: -1, Kind: ErrMalformedRecord, Err: fmt.Errorf("detail: %w", err)}
	}
	return out, nil
}

// decodeCompact decodes a record after compacting it, so that an envelope's
// formatting cannot make its Event differ from the same record read from a
// log file (CloudTrail writes files compact).
func decodeCompact(record []byte) (*Event, error) {
	if len(bytes.TrimSpace(record)) == 0 {
		return nil, errors.New("record is missing")
	}
	var buf bytes.Buffer
	buf.Grow(len(record))
	if err := json.Compact(&buf, record); err != nil {
		return nil, err
	}
	return decodeRecord(buf.Bytes())
}

// FromCloudWatchLogs decodes a CloudWatch Logs subscription payload
// (base64 of gzip of events.CloudwatchLogsData) whose log events are
// CloudTrail records. A CONTROL_MESSAGE yields nothing. Each bad message is
// one error in errs (wrapping ErrMalformedRecord, naming its index and ID)
// while the good ones still come back; err (wrapping ErrUnreadable) means
// the payload itself could not be decoded.
func FromCloudWatchLogs(data events.CloudwatchLogsRawData) (evs []*Event, errs []error, err error) {
	d, err := DecodeCloudWatchLogs(data.Data)
	if err != nil {
		return nil, nil, err
	}
	evs, errs = FromCloudWatchLogsData(d)
	return evs, errs, nil
}

// DecodeCloudWatchLogs decodes the base64 gzip "awslogs.data" string,
// refusing payloads that decompress beyond MaxCloudWatchLogsBytes.
func DecodeCloudWatchLogs(data string) (events.CloudwatchLogsData, error) {
	var d events.CloudwatchLogsData
	fail := func(err error) (events.CloudwatchLogsData, error) {
		return d, &ParseError{Name: "cloudwatch-logs", Record: -1, Offset: -1, Kind: ErrUnreadable, Err: err}
	}
	zipped, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
	if err != nil {
		return fail(fmt.Errorf("awslogs.data is not base64: %w", err))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		return fail(fmt.Errorf("awslogs.data is not gzip: %w", err))
	}
	plain, err := io.ReadAll(io.LimitReader(zr, MaxCloudWatchLogsBytes+1))
	if err != nil {
		return fail(fmt.Errorf("awslogs.data: corrupt gzip: %w", err))
	}
	if len(plain) > MaxCloudWatchLogsBytes {
		return fail(fmt.Errorf("awslogs.data decompresses to more than %d bytes", MaxCloudWatchLogsBytes))
	}
	if err := json.Unmarshal(plain, &d); err != nil {
		return fail(fmt.Errorf("awslogs.data: %w", err))
	}
	return d, nil
}

// FromCloudWatchLogsData decodes the records of an already decoded
// subscription payload; see FromCloudWatchLogs.
func FromCloudWatchLogsData(d events.CloudwatchLogsData) ([]*Event, []error) {
	if d.MessageType == "CONTROL_MESSAGE" {
		return nil, nil
	}
	name := "cloudwatch-logs " + d.LogGroup + "/" + d.LogStream
	evs := make([]*Event, 0, len(d.LogEvents))
	var errs []error
	for i, le := range d.LogEvents {
		ev, err := decodeCompact([]byte(le.Message))
		if err != nil {
			errs = append(errs, &ParseError{Name: name, Record: i, Offset: -1, Kind: ErrMalformedRecord,
				Err: fmt.Errorf("log event %s: %w", le.ID, err)})
			continue
		}
		evs = append(evs, ev)
	}
	return evs, errs
}
