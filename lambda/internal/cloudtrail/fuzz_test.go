package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// FuzzReader: whatever the input, the reader never panics, every call to
// Next consumes input or ends the file, errors have exactly one kind, and
// every event's Raw is valid JSON that decodes to the same event.
func FuzzReader(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(envelope(fx.compact))
		f.Add(ndjson(fx.compact, fx.compact))
	}
	good := loadFixtures(f)[0].compact
	f.Add(gz(f, envelope(good, good)))
	f.Add([]byte(`{"Records":"x"}`))
	f.Add([]byte(`{"a":1,"Records":[{"eventName":"x"},"s",1,[],{"eventName":5}],"b":{}}`))
	f.Add([]byte("[{\"eventID\":\"a\"}\n,{\"eventID\":\"b\"}]"))
	f.Add([]byte("{\"eventID\":\"a\"}\n{\"eventID\":\n{\"eventID\":\"c\"}\n"))
	f.Add([]byte("\xef\xbb\xbf{\"Records\":[]}"))
	f.Add([]byte(`{"eventName":"x","requestParameters":[[[[[[[[[[]]]]]]]]]]}`))
	f.Add([]byte(`{"Records":[{"eventName":"x\u00e9\"","userIdentity":{"sessionContext":null},"resources":[]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("NewReader error of no kind: %v", err)
			}
			return
		}
		// A gzip input can decompress to more than its size; bound the loop
		// by the decompressed bytes actually consumed instead.
		for calls := 0; ; calls++ {
			if int64(calls) > rd.Stats().Bytes+int64(len(data))+2 {
				t.Fatalf("Next made no progress after %d calls", calls)
			}
			ev, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				m, u := errors.Is(err, ErrMalformedRecord), errors.Is(err, ErrUnreadable)
				if m == u {
					t.Fatalf("error must be malformed xor unreadable: %v", err)
				}
				if ev != nil {
					t.Fatal("an event with an error")
				}
				if u {
					if _, err2 := rd.Next(); err2 != err {
						t.Fatalf("unreadable is not sticky: %v then %v", err, err2)
					}
					return
				}
				continue
			}
			if !json.Valid(ev.Raw) {
				t.Fatalf("event Raw is not valid JSON: %q", ev.Raw)
			}
			var want Event
			if err := json.Unmarshal(ev.Raw, &want); err != nil {
				t.Fatalf("encoding/json rejects a record the reader accepted: %v: %q", err, ev.Raw)
			}
			want.Raw = ev.Raw
			assertSameEvent(t, &want, ev)
		}
	})
}

// FuzzFastDecode: the single-pass decoder agrees with encoding/json on every
// input: the same Event when it decodes, and never a result where
// encoding/json fails.
func FuzzFastDecode(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.compact)
	}
	f.Add([]byte(`{"eventName":"a\"b","EventID":"x","readOnly":null,"resources":[{"ARN":"a"},{}],"userIdentity":{"sessionContext":{"attributes":null}}}`))
	f.Add([]byte(`{"eventName":"a","eventName":"b"}`))
	f.Add([]byte(`{"requestParameters":{"a":[1.5e3,-0,true,false,null,"\u00e9"]},"x":01}`))
	f.Add([]byte("{\"eventName\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Event
		fastOK := fastDecode(data, &got)
		var want Event
		err := json.Unmarshal(data, &want)
		if !fastOK {
			return // encoding/json decides
		}
		if err != nil {
			t.Fatalf("fast decoder accepted what encoding/json rejects (%v): %q", err, data)
		}
		assertSameEvent(t, &want, &got)
	})
}

func assertSameEvent(t *testing.T, want, got *Event) {
	t.Helper()
	w, g := *want, *got
	g.Raw = w.Raw
	if !reflect.DeepEqual(w, g) {
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		t.Fatalf("decoders disagree:\nencoding/json: %s\nfast:          %s\n%#v\n%#v", wj, gj, w, g)
	}
}
