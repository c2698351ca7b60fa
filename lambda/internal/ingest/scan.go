package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// ScanStats counts what Scan read from one file.
type ScanStats struct {
	Records   int   // events read and run through the rules
	Malformed int   // records skipped as malformed
	Bytes     int64 // decompressed bytes read
	// FirstMalformed is the reason the first malformed record was skipped.
	FirstMalformed string
}

// ctxCheckEvery is how many records pass between context checks: often
// enough to stop soon after a Lambda deadline, rarely enough to cost nothing.
const ctxCheckEvery = 256

// Scan streams the CloudTrail file in r through session and calls emit for
// every finding, in record order. Malformed records are counted and skipped.
// It returns nil at the end of the file; otherwise the error that ended it:
// one wrapping cloudtrail.ErrUnreadable (records before it were processed),
// emit's error, or the context's. Both the Lambda handler and ctap replay
// read files through Scan, so both see a file identically.
func Scan(ctx context.Context, r io.Reader, name string, session *detect.Session, emit func(finding.Finding) error) (ScanStats, error) {
	var st ScanStats
	rd, err := cloudtrail.NewReader(r, name)
	if err != nil {
		return st, err
	}
	done := func(err error) (ScanStats, error) {
		s := rd.Stats()
		st.Records, st.Malformed, st.Bytes = s.Records, s.Malformed, s.Bytes
		return st, err
	}
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return done(fmt.Errorf("%s: stopped: %w", name, err))
			}
		}
		ev, err := rd.Next()
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return done(nil)
		case errors.Is(err, cloudtrail.ErrMalformedRecord):
			if st.FirstMalformed == "" {
				st.FirstMalformed = err.Error()
			}
			continue
		default:
			return done(err)
		}
		for _, f := range session.Process(ev) {
			if err := emit(f); err != nil {
				return done(err)
			}
		}
	}
}
