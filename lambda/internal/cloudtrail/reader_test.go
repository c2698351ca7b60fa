package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReaderFormats(t *testing.T) {
	fx := loadFixtures(t)
	var recs [][]byte
	var ids []string
	for _, f := range fx {
		recs = append(recs, f.compact)
		var e Event
		require.NoError(t, json.Unmarshal(f.compact, &e))
		ids = append(ids, e.EventID)
	}
	pretty, err := json.MarshalIndent(json.RawMessage(envelope(recs...)), "", "  ")
	require.NoError(t, err)
	prettyRecord, err := json.MarshalIndent(json.RawMessage(recs[0]), "", "\t")
	require.NoError(t, err)
	twice := append(append([]string{}, ids...), ids...)

	tests := []struct {
		name  string
		input []byte
		want  []string
	}{
		{"gzip Records envelope reads every record in order", gz(t, envelope(recs...)), ids},
		{"plain Records envelope reads the same records", envelope(recs...), ids},
		{"a .json.gz name is irrelevant: plain JSON is detected by content", envelope(recs...), ids},
		{"pretty-printed envelope", pretty, ids},
		{"Records after and between other top-level keys", []byte(`{"digest":{"Records":"not these"},"Records":[` +
			string(bytes.Join(recs, []byte(","))) + `],"trailer":[1,{"a":[2]}],"n":null}`), ids},
		{"bare array of records", []byte("[" + string(bytes.Join(recs, []byte(",\n"))) + "]"), ids},
		{"one record per line", ndjson(recs...), ids},
		{"one record per line with CRLF and blank lines", []byte(string(bytes.Join(recs, []byte("\r\n\r\n"))) + "\r\n"), ids},
		{"one record per line without a final newline", bytes.Join(recs, []byte("\n")), ids},
		{"gzip NDJSON", gz(t, ndjson(recs...)), ids},
		{"UTF-8 BOM and whitespace before the envelope", append([]byte("\xef\xbb\xbf \n\t"), envelope(recs...)...), ids},
		{"zcat of two files: concatenated envelopes", append(envelope(recs...), envelope(recs...)...), twice},
		{"multi-member gzip (cat a.gz b.gz)", append(gz(t, envelope(recs...)), gz(t, envelope(recs...))...), twice},
		{"a file holding one pretty-printed record", prettyRecord, ids[:1]},
		{"empty Records is a clean end", gz(t, []byte(`{"Records":[]}`)), nil},
		{"null Records is a clean end", []byte(`{"Records":null}`), nil},
		{"empty file", nil, nil},
		{"empty gzip stream", gz(t, nil), nil},
		{"whitespace only", []byte(" \n\n "), nil},
		{"empty bare array", []byte(`[ ]`), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := readAll(t, tc.input)
			require.Empty(t, o.errs)
			require.Equal(t, io.EOF, o.final)
			if len(tc.want) == 0 {
				assert.Empty(t, o.events)
				return
			}
			assert.Equal(t, tc.want, eventIDs(o.events))
		})
	}
}

func TestReaderRawIsTheRecordsExactBytes(t *testing.T) {
	fx := loadFixtures(t)
	var recs [][]byte
	for _, f := range fx {
		recs = append(recs, f.compact)
	}
	for name, input := range map[string][]byte{
		"envelope": gz(t, envelope(recs...)),
		"ndjson":   ndjson(recs...),
		"array":    []byte("[" + string(bytes.Join(recs, []byte(" , "))) + "]"),
	} {
		t.Run(name, func(t *testing.T) {
			o := readAll(t, input)
			require.Len(t, o.events, len(recs))
			for i, ev := range o.events {
				assert.Equal(t, string(recs[i]), string(ev.Raw))
			}
		})
	}
}

func TestReaderStats(t *testing.T) {
	good := fixtureByName(t, "kms-disable-key-denied")
	input := envelope(good, []byte(`"not a record"`), good)
	rd, err := NewReader(bytes.NewReader(input), "stats.json")
	require.NoError(t, err)
	o := drain(t, rd, len(input))
	assert.Equal(t, "E M E EOF", o.kinds())
	st := rd.Stats()
	assert.Equal(t, 2, st.Records)
	assert.Equal(t, 1, st.Malformed)
	assert.Equal(t, int64(len(input)), st.Bytes)
}

func TestReaderBrokenInput(t *testing.T) {
	good := fixtureByName(t, "kms-disable-key-denied")
	other := fixtureByName(t, "console-login-no-mfa")
	full := gz(t, envelope(good, other, good, other, good, other))
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 0x07 // not the gzip magic, not JSON

	deep := func(n int) []byte {
		return []byte(`{"eventName":"PutBucketPolicy","eventID":"deep","requestParameters":{"policy":` +
			strings.Repeat("[", n) + strings.Repeat("]", n) + `}}`)
	}

	tests := []struct {
		name     string
		input    []byte
		wantSeq  string
		wantMsgs []string // substrings of the errors, in order
	}{
		{"gzip cut inside the header is unreadable", full[:5], "U", []string{"gzip"}},
		{"random bytes are unreadable", random, "U", []string{"not CloudTrail JSON"}},
		{"text is unreadable", []byte("hello, this is not JSON\n"), "U", []string{"not CloudTrail JSON: starts with 'h'"}},
		{"Records as a string is unreadable", []byte(`{"Records":"oops"}`), "U", []string{"Records is a string, not an array"}},
		{"Records as an object is unreadable", []byte(`{"Records":{"eventName":"x"}}`), "U", []string{"Records is an object, not an array"}},
		{"Records as a number is unreadable", []byte(`{"Records":42}`), "U", []string{"Records is a number"}},
		{"a record that is a string is skipped", envelope(good, []byte(`"AwsApiCall"`), other), "E M E EOF",
			[]string{"record 1 ", "record is a string, not an object"}},
		{"records that are numbers, arrays and null are skipped", envelope([]byte(`12`), []byte(`[1]`), []byte(`null`), good), "M M M E EOF",
			[]string{"a number", "an array", "null"}},
		{"a record with a wrong-typed field is skipped", envelope(good, []byte(`{"eventName":5,"eventID":"x"}`), other), "E M E EOF",
			[]string{"record 1 ", "eventName"}},
		{"a record whose userIdentity is a string is skipped", envelope([]byte(`{"eventName":"x","userIdentity":"root"}`), good), "M E EOF", nil},
		{"a balanced but invalid record is skipped", envelope(good, []byte(`{"eventName" "x"}`), other), "E M E EOF",
			[]string{"invalid character"}},
		{"truncated plain envelope", append(envelope(good, other)[:len(good)+13], good[:100]...), "E U",
			[]string{"record 1 ", "unexpected end of input"}},
		{"missing comma between records loses the position", []byte(`{"Records":[` + string(good) + " " + string(other) + `]}`), "E U",
			[]string{"expected ',' or ']' after record 0"}},
		{"deep nesting within encoding/json's limit decodes", envelope(deep(5000), good), "E E EOF", nil},
		{"nesting deeper than 10000 skips only that record", envelope(deep(10000), good), "M E EOF",
			[]string{"exceeded max depth"}},
		{"NDJSON: a bad line in the middle costs only that line", ndjson(good, []byte(`{"eventID": broken}`), other), "E M E EOF",
			[]string{"record 1 "}},
		{"NDJSON: an unterminated line does not swallow the next", ndjson(good, []byte(`{"eventID":"x","requestParameters":{"a":[1`), other, good),
			"E M E E EOF", []string{"line ends inside a record"}},
		{"NDJSON: an unterminated string does not swallow the next", ndjson(good, []byte(`{"eventID":"x`), other), "E M E EOF", nil},
		{"NDJSON: a line that is a string", ndjson(good, []byte(`"hello"`), other), "E M E EOF", nil},
		{"NDJSON: a broken first line", ndjson([]byte(`{"eventID":"x","requestParameters":{"a":[1`), good, other), "M E E EOF", nil},
		{"NDJSON: a truncated last line", append(ndjson(good, other), good[:50]...), "E E M EOF", []string{"unexpected end of input"}},
		{"a single broken object is unreadable", []byte(`{"eventID": broken`), "U", nil},
		{"an object that is neither envelope nor record", []byte(`{"awsAccountId":"111122223333","digestStartTime":"2026-11-20T00:00:00Z"}`), "M EOF",
			[]string{"no Records array"}},
		{"trailing garbage after the envelope is reported once", append(envelope(good), []byte(" garbage")...), "E M EOF", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := readAll(t, tc.input)
			require.Equal(t, tc.wantSeq, o.kinds(), "errors: %v final: %v", o.errs, o.final)
			var all []string
			for _, e := range o.errs {
				all = append(all, e.Error())
			}
			if o.final != nil && o.final != io.EOF {
				all = append(all, o.final.Error())
			}
			joined := strings.Join(all, "\n")
			for _, m := range tc.wantMsgs {
				assert.Contains(t, joined, m)
			}
			for _, msg := range all {
				assert.True(t, strings.HasPrefix(msg, "test.json: "), "error names the file: %s", msg)
			}
		})
	}
}

func TestReaderTruncatedGzip(t *testing.T) {
	good := fixtureByName(t, "kms-disable-key-denied")
	other := fixtureByName(t, "console-login-no-mfa")
	var recs [][]byte
	for range 200 {
		recs = append(recs, good, other)
	}
	full := gz(t, envelope(recs...))
	for _, cut := range []int{len(full) - 4, len(full) - 40, len(full) / 2, 30} {
		o := readAll(t, full[:cut])
		require.Regexp(t, `^(E )*U$`, o.kinds(), "cut at %d", cut)
		assert.ErrorContains(t, o.final, "corrupt or truncated gzip stream: unexpected EOF")
		for i, ev := range o.events {
			assert.Equal(t, string(recs[i]), string(ev.Raw), "complete records before the cut come back intact")
		}
		if cut > len(full)/2-1 {
			assert.Greater(t, len(o.events), 100, "the records before the cut are not lost")
		}
	}
}

func TestReaderErrorsCarryPosition(t *testing.T) {
	good := fixtureByName(t, "kms-disable-key-denied")
	input := envelope(good, good, []byte(`{"eventName":true}`))
	o := readAll(t, input)
	require.Len(t, o.errs, 1)
	var pe *ParseError
	require.True(t, errors.As(o.errs[0], &pe))
	assert.Equal(t, "test.json", pe.Name)
	assert.Equal(t, 2, pe.Record)
	assert.Equal(t, int64(bytes.Index(input, []byte(`{"eventName":true}`))), pe.Offset)
	assert.ErrorIs(t, o.errs[0], ErrMalformedRecord)
	var te *json.UnmarshalTypeError
	assert.True(t, errors.As(o.errs[0], &te), "the cause is reachable too")
}

func TestReaderHugeRecord(t *testing.T) {
	big := strings.Repeat("x", 500<<10)
	rec := []byte(`{"eventName":"PutBucketPolicy","eventID":"huge","requestParameters":{"bucketPolicy":{"Statement":[{"Sid":"` + big + `"}]}}}`)
	good := fixtureByName(t, "kms-disable-key-denied")
	for name, input := range map[string][]byte{
		"envelope": gz(t, envelope(good, rec, good)),
		"ndjson":   ndjson(good, rec, good),
	} {
		t.Run(name, func(t *testing.T) {
			o := readAll(t, input)
			require.Equal(t, "E E E EOF", o.kinds())
			assert.Equal(t, rec, []byte(o.events[1].Raw))
			sid, ok := o.events[1].Param("bucketPolicy", "Statement", "0", "Sid")
			require.True(t, ok)
			assert.Len(t, sid, len(big))
		})
	}
}

func TestReaderSkipsRecordsOverTheLimit(t *testing.T) {
	good := fixtureByName(t, "kms-disable-key-denied")
	rec := []byte(`{"eventName":"X","eventID":"too-big","requestParameters":{"blob":"` + strings.Repeat("y", 3<<20) + `"}}`)
	for name, input := range map[string][]byte{
		"envelope": envelope(good, rec, good),
		"ndjson":   ndjson(good, rec, good),
	} {
		t.Run(name, func(t *testing.T) {
			rd, err := NewReader(bytes.NewReader(input), "test.json")
			require.NoError(t, err)
			rd.maxRecord = 1 << 20
			o := drain(t, rd, len(input))
			require.Equal(t, "E M E EOF", o.kinds(), "%v", o.errs)
			assert.Contains(t, o.errs[0].Error(), "record exceeds")
			assert.Less(t, cap(rd.buf), 4<<20, "the skipped record was not buffered whole")
		})
	}
}

// A reader that returns data one byte at a time exercises every refill path.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestReaderOneByteReads(t *testing.T) {
	fx := loadFixtures(t)
	var recs [][]byte
	for _, f := range fx {
		recs = append(recs, f.compact)
	}
	for name, input := range map[string][]byte{
		"envelope": envelope(recs...),
		"ndjson":   ndjson(recs...),
		"bom":      append([]byte("\xef\xbb\xbf"), envelope(recs...)...),
	} {
		t.Run(name, func(t *testing.T) {
			rd, err := NewReader(oneByteReader{bytes.NewReader(input)}, "slow.json")
			require.NoError(t, err)
			o := drain(t, rd, len(input))
			require.Empty(t, o.errs)
			require.Len(t, o.events, len(recs))
			for i := range recs {
				assert.Equal(t, string(recs[i]), string(o.events[i].Raw))
			}
		})
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReaderSourceFailure(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := NewReader(failingReader{boom}, "s3://b/k")
	require.ErrorIs(t, err, ErrUnreadable)
	require.ErrorIs(t, err, boom)

	good := fixtureByName(t, "kms-disable-key-denied")
	input := envelope(good, good)
	rd, err := NewReader(io.MultiReader(bytes.NewReader(input[:len(input)-10]), failingReader{boom}), "s3://b/k")
	require.NoError(t, err)
	o := drain(t, rd, len(input))
	assert.Equal(t, "E U", o.kinds())
	assert.ErrorIs(t, o.final, boom)
}

// Events decoded straight from the reader's buffer must not keep pointing
// into it: the buffer is overwritten as reading goes on. Every event is kept
// until the end and then compared with encoding/json's decoding of its Raw.
func TestEventsOutliveTheReadBuffer(t *testing.T) {
	fx := loadFixtures(t)
	var recs [][]byte
	for i := 0; len(recs) < 3000; i++ {
		f := fx[i%len(fx)].compact
		recs = append(recs, bytes.Replace(f, []byte(`"eventID":"`), []byte(fmt.Sprintf(`"eventID":"%06d-`, i)), 1))
	}
	for name, input := range map[string][]byte{
		"envelope": gz(t, envelope(recs...)),
		"ndjson":   ndjson(recs...),
	} {
		t.Run(name, func(t *testing.T) {
			o := readAll(t, input)
			require.Len(t, o.events, len(recs))
			for i, ev := range o.events {
				var want Event
				require.NoError(t, json.Unmarshal(recs[i], &want))
				want.Raw = ev.Raw
				assert.Equal(t, &want, ev)
			}
		})
	}
}
