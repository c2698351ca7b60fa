package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ParseRecord decodes one CloudTrail record (a JSON object) into an Event
// whose Raw is a copy of record. Every input path (log files,
// EventBridge details, CloudWatch Logs messages) decodes through it, so the
// same record yields the same Event whichever way it arrived. Errors wrap
// ErrMalformedRecord.
func ParseRecord(record []byte) (*Event, error) {
	ev, err := decodeRecord(bytes.Clone(record))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedRecord, err)
	}
	return ev, nil
}

// decodeRecord decodes one record; raw becomes the Event's Raw, and its
// strings may share raw's memory, so raw must be a private copy.
func decodeRecord(raw []byte) (*Event, error) {
	i := 0
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	if i == len(raw) {
		return nil, errors.New("record is empty")
	}
	if raw[i] != '{' {
		return nil, fmt.Errorf("record is %s, not an object", describeValue(raw[i]))
	}
	ev := new(Event)
	if !fastDecode(raw, ev) {
		*ev = Event{}
		if err := json.Unmarshal(raw, ev); err != nil {
			return nil, err
		}
	}
	ev.Raw = raw
	return ev, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
