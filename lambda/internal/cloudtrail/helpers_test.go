package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fixture is one hand-written record under testdata/records, compacted the
// way CloudTrail writes records into log files.
type fixture struct {
	name    string
	compact []byte
}

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	sort.Strings(paths)
	out := make([]fixture, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, json.Compact(&buf, b), p)
		out = append(out, fixture{name: strings.TrimSuffix(filepath.Base(p), ".json"), compact: buf.Bytes()})
	}
	return out
}

func fixtureByName(t testing.TB, name string) []byte {
	t.Helper()
	for _, f := range loadFixtures(t) {
		if f.name == name {
			return f.compact
		}
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

// envelope builds a CloudTrail log file body from records.
func envelope(records ...[]byte) []byte {
	return []byte(`{"Records":[` + string(bytes.Join(records, []byte(","))) + `]}`)
}

func ndjson(lines ...[]byte) []byte {
	return append(bytes.Join(lines, []byte("\n")), '\n')
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// outcome is everything a Reader produced for one input.
type outcome struct {
	events []*Event
	errs   []error // per-record errors, in order
	final  error   // io.EOF or the ErrUnreadable that ended the file
	seq    string
}

// kinds summarises the sequence of results: "E" for an event, "M" for a
// malformed record, then "EOF" or "U" for how the file ended.
func (o outcome) kinds() string {
	return o.seq
}

func readAll(t testing.TB, data []byte) outcome {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data), "test.json")
	if err != nil {
		return outcome{final: err, seq: "U"}
	}
	return drain(t, rd, len(data))
}

func drain(t testing.TB, rd *Reader, size int) outcome {
	var o outcome
	var seq []string
	// Every call consumes input or ends the file, so this bounds a loop.
	for i := 0; i <= size+2; i++ {
		ev, err := rd.Next()
		switch {
		case err == nil:
			require.NotNil(t, ev)
			o.events = append(o.events, ev)
			seq = append(seq, "E")
		case err == io.EOF:
			o.final = err
			seq = append(seq, "EOF")
			o.seq = strings.Join(seq, " ")
			again, err2 := rd.Next()
			require.Nil(t, again)
			require.Equal(t, io.EOF, err2, "EOF is sticky")
			return o
		case errors.Is(err, ErrUnreadable):
			require.False(t, errors.Is(err, ErrMalformedRecord), "an error has one kind: %v", err)
			o.final = err
			seq = append(seq, "U")
			o.seq = strings.Join(seq, " ")
			again, err2 := rd.Next()
			require.Nil(t, again)
			require.Equal(t, err, err2, "ErrUnreadable is sticky")
			return o
		case errors.Is(err, ErrMalformedRecord):
			require.Nil(t, ev)
			o.errs = append(o.errs, err)
			seq = append(seq, "M")
		default:
			t.Fatalf("error of neither kind: %v", err)
		}
	}
	t.Fatalf("Next did not terminate within %d calls", size+2)
	return o
}

func eventIDs(evs []*Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.EventID
	}
	return ids
}
