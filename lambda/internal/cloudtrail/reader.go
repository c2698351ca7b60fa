package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
)

// ErrMalformedRecord marks an error confined to one record: the record is
// skipped and Next may be called again to read the records after it.
var ErrMalformedRecord = errors.New("malformed record")

// ErrUnreadable marks an error that ends the file: it is not gzip or JSON,
// the gzip stream is truncated or corrupt, or a syntax error lost the
// position of the next record. Every later Next returns the same error.
var ErrUnreadable = errors.New("unreadable file")

// MaxRecordBytes bounds one record (and one top-level object that turns out
// not to be a Records envelope). Larger records are skipped as malformed so
// that one freak record cannot exhaust a Lambda's memory.
const MaxRecordBytes = 16 << 20

const (
	initialBufBytes = 64 << 10
	// Reads smaller than this waste syscalls and gzip flushes, so the buffer
	// is compacted before the free tail gets this small.
	minReadBytes = 16 << 10
)

// ParseError describes why a record or a file could not be read. It wraps
// both its kind (ErrMalformedRecord or ErrUnreadable) and its cause, so
// errors.Is works for either.
type ParseError struct {
	Name   string // file name or envelope description
	Record int    // index of the record being read (0-based, counting malformed ones); -1 when none
	Offset int64  // offset in the decompressed stream where the problem was found; -1 when none
	Kind   error  // ErrMalformedRecord or ErrUnreadable
	Err    error  // the cause
}

// Error implements error.
func (e *ParseError) Error() string {
	switch {
	case e.Record >= 0 && e.Offset >= 0:
		return fmt.Sprintf("%s: record %d (offset %d): %v: %v", e.Name, e.Record, e.Offset, e.Kind, e.Err)
	case e.Record >= 0:
		return fmt.Sprintf("%s: record %d: %v: %v", e.Name, e.Record, e.Kind, e.Err)
	}
	return fmt.Sprintf("%s: %v: %v", e.Name, e.Kind, e.Err)
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *ParseError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Stats counts what a Reader has done so far.
type Stats struct {
	Records   int   // events returned
	Malformed int   // records skipped with ErrMalformedRecord
	Bytes     int64 // decompressed bytes consumed
}

type readerState int

const (
	stTop     readerState = iota // between top-level values
	stElems                      // inside an array of records
	stEnvRest                    // inside a Records envelope, after its Records array
	stDone                       // err is final
)

// Reader streams CloudTrail records from one log file, holding one record in
// memory at a time. It accepts gzip or plain input (detected by magic bytes,
// not by name) holding a {"Records":[...]} envelope, a bare array of records,
// or one record per line; concatenations of these (as zcat of several files
// gives) are read too.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	name string
	src  io.Reader

	buf    []byte
	r, w   int   // unread input is buf[r:w]
	mark   int   // when >= 0, buf[mark:] must survive fills: the value being read
	base   int64 // stream offset of buf[0]
	srcErr error // first error from src; io.EOF at a clean end

	st         readerState
	inEnvelope bool // the current array is an envelope's Records (else a bare array)
	needComma  bool // inside an array, a record has been read
	lineMode   bool // records are one per line: a newline inside a value is an error
	tooBig     bool // the value being scanned outgrew MaxRecordBytes and is being skipped
	seenValue  bool // a top-level value has started
	index      int  // index of the next record
	err        error
	stats      Stats
	maxRecord  int
	gzipped    bool
}

// NewReader returns a Reader for r; name identifies the file in errors. It
// fails only when r is gzip whose header is corrupt or r itself fails.
func NewReader(r io.Reader, name string) (*Reader, error) {
	rd := &Reader{name: name, mark: -1, maxRecord: MaxRecordBytes}
	var magic [2]byte
	n, err := io.ReadFull(r, magic[:])
	switch {
	case err == nil, errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
	default:
		return nil, &ParseError{Name: name, Record: -1, Offset: -1, Kind: ErrUnreadable, Err: fmt.Errorf("read: %w", err)}
	}
	src := io.MultiReader(bytes.NewReader(magic[:n]), r)
	if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := newGzipReader(src)
		if err != nil {
			return nil, &ParseError{Name: name, Record: -1, Offset: -1, Kind: ErrUnreadable, Err: fmt.Errorf("gzip header: %w", err)}
		}
		src = zr
		rd.gzipped = true
	}
	rd.src = src
	rd.buf = make([]byte, initialBufBytes)
	return rd, nil
}

// newGzipReader uses klauspost/compress: it inflates CloudTrail files about
// 1.7x faster than compress/gzip (BenchmarkGunzip*), and decompression is
// a third of a replay's CPU. Multistream is on, as in compress/gzip, so
// concatenated .gz files read as one stream.
func newGzipReader(r io.Reader) (io.Reader, error) {
	return gzip.NewReader(r)
}

// Stats reports what has been read so far.
func (rd *Reader) Stats() Stats {
	s := rd.stats
	s.Bytes = rd.base + int64(rd.r)
	return s
}

// Next returns the next record. At the end of the input it returns io.EOF.
// An error wrapping ErrMalformedRecord concerns one record and reading may go
// on; an error wrapping ErrUnreadable ends the file and is returned again by
// every later call.
func (rd *Reader) Next() (*Event, error) {
	if rd.err != nil {
		return nil, rd.err
	}
	for {
		var (
			ev   *Event
			err  error
			done bool
		)
		switch rd.st {
		case stTop:
			ev, err, done = rd.top()
		case stElems:
			ev, err, done = rd.element()
		case stEnvRest:
			ev, err, done = rd.envelopeRest()
		default:
			return nil, rd.err
		}
		if !done {
			continue
		}
		if err != nil {
			if errors.Is(err, ErrUnreadable) || err == io.EOF {
				rd.err = err
				rd.st = stDone
				rd.mark = -1
			} else {
				rd.stats.Malformed++
			}
			return nil, err
		}
		rd.stats.Records++
		return ev, nil
	}
}

// Errors the scanner reports; the callers turn them into ParseErrors.
var (
	errTooBig    = fmt.Errorf("record exceeds %d bytes", MaxRecordBytes)
	errNewline   = errors.New("line ends inside a record")
	errTruncated = errors.New("unexpected end of input")
	errNotRecord = errors.New("object has no Records array and is not a CloudTrail record (no eventName, eventSource or eventID)")
)

func (rd *Reader) offset() int64 { return rd.base + int64(rd.r) }

func (rd *Reader) malformed(cause error) *ParseError {
	return &ParseError{Name: rd.name, Record: rd.index, Offset: rd.offset(), Kind: ErrMalformedRecord, Err: cause}
}

func (rd *Reader) unreadable(cause error) *ParseError {
	return &ParseError{Name: rd.name, Record: rd.index, Offset: rd.offset(), Kind: ErrUnreadable, Err: cause}
}

// inputError names why input ended early: the source's own error (e.g. a
// truncated gzip stream) when there is one.
func (rd *Reader) inputError() error {
	if rd.srcErr != nil && rd.srcErr != io.EOF {
		if rd.gzipped {
			return fmt.Errorf("corrupt or truncated gzip stream: %w", rd.srcErr)
		}
		return fmt.Errorf("read: %w", rd.srcErr)
	}
	return errTruncated
}

// fill reads more input into buf, compacting or growing it as needed. It
// returns how far it moved the buffer's contents to the left, so that callers
// holding buffer offsets can adjust them; r and mark are adjusted here.
func (rd *Reader) fill() (shift int, err error) {
	if rd.srcErr != nil {
		return 0, rd.srcErr
	}
	if len(rd.buf)-rd.w < minReadBytes {
		keep := rd.r
		if rd.mark >= 0 && rd.mark < keep {
			keep = rd.mark
		}
		if keep > 0 {
			copy(rd.buf, rd.buf[keep:rd.w])
			rd.w -= keep
			rd.r -= keep
			if rd.mark >= 0 {
				rd.mark -= keep
			}
			rd.base += int64(keep)
			shift = keep
		}
		if len(rd.buf)-rd.w < minReadBytes {
			if rd.mark >= 0 && rd.w-rd.mark > rd.maxRecord {
				return shift, errTooBig
			}
			nb := make([]byte, 2*len(rd.buf))
			copy(nb, rd.buf[:rd.w])
			rd.buf = nb
		}
	}
	for tries := 0; ; tries++ {
		n, err := rd.src.Read(rd.buf[rd.w:])
		rd.w += n
		if err != nil {
			rd.srcErr = err
			if n > 0 {
				return shift, nil
			}
			return shift, err
		}
		if n > 0 {
			return shift, nil
		}
		if tries > 100 {
			rd.srcErr = io.ErrNoProgress
			return shift, rd.srcErr
		}
	}
}

// more makes at least one more byte available after *p, adjusting *p. When
// the retained value outgrows MaxRecordBytes it stops retaining it and sets
// tooBig, so the scan can finish by discarding.
func (rd *Reader) more(p *int) error {
	for {
		if rd.mark < 0 {
			rd.r = *p // nothing before p is needed any more
		}
		shift, err := rd.fill()
		*p -= shift
		if err == errTooBig {
			rd.tooBig = true
			rd.mark = -1
			continue
		}
		return err
	}
}

// peekByte returns the byte at r, reading more input if needed; ok is false
// at the end of input.
func (rd *Reader) peekByte() (c byte, ok bool) {
	for rd.r >= rd.w {
		p := rd.r
		if err := rd.more(&p); err != nil {
			rd.r = p
			return 0, false
		}
		rd.r = p
	}
	return rd.buf[rd.r], true
}

// skipSpace advances r past JSON whitespace (and a UTF-8 byte order mark at
// the start of the stream). In line mode a newline inside a value is an
// error, which stopAtNewline asks for.
func (rd *Reader) skipSpace(stopAtNewline bool) (c byte, err error) {
	for {
		c, ok := rd.peekByte()
		if !ok {
			return 0, rd.inputErrorOrEOF()
		}
		switch c {
		case ' ', '\t', '\r':
			rd.r++
		case '\n':
			if stopAtNewline {
				return c, errNewline
			}
			rd.r++
		case 0xEF:
			if rd.base+int64(rd.r) != 0 {
				return c, nil
			}
			if !rd.skipBOM() {
				return c, nil
			}
		default:
			return c, nil
		}
	}
}

func (rd *Reader) skipBOM() bool {
	for rd.w-rd.r < 3 {
		p := rd.r
		if err := rd.more(&p); err != nil {
			rd.r = p
			return false
		}
		rd.r = p
	}
	if rd.buf[rd.r+1] == 0xBB && rd.buf[rd.r+2] == 0xBF {
		rd.r += 3
		return true
	}
	return false
}

func (rd *Reader) inputErrorOrEOF() error {
	if rd.srcErr == io.EOF {
		return io.EOF
	}
	return rd.inputError()
}

// byteClass marks the bytes the value scanner must look at; the rest are
// skipped in a tight loop.
var (
	structural [256]bool // outside strings
	inString   [256]bool // inside strings
	delimiter  [256]bool // ends a bare scalar
)

func init() {
	for _, c := range []byte("\"{}[]\n") {
		structural[c] = true
	}
	for _, c := range []byte("\"\\\n") {
		inString[c] = true
	}
	for _, c := range []byte(" \t\r\n,]}{[\"") {
		delimiter[c] = true
	}
}

// scanValue finds the end of the JSON value starting at r and returns the
// offset just past it. It checks only structure (strings and brackets), which
// is enough to find the boundary; the record decoder validates the rest. It
// never recurses, so deep nesting costs nothing. Bytes from mark on are kept.
func (rd *Reader) scanValue() (end int, err error) {
	p := rd.r
	depth := 0
	inStr, esc := false, false
	if p >= rd.w {
		if err := rd.more(&p); err != nil {
			return p, rd.inputErrorOrTruncated()
		}
	}
	switch c := rd.buf[p]; c {
	case '{', '[', '"':
	default:
		if c == '}' || c == ']' || c == ',' || c == ':' {
			return p, fmt.Errorf("unexpected %q", c)
		}
		// A bare scalar: up to the next delimiter.
		for {
			for p < rd.w && !delimiter[rd.buf[p]] {
				p++
			}
			if p < rd.w {
				return p, nil
			}
			if err := rd.more(&p); err != nil {
				if err == io.EOF {
					return p, nil
				}
				return p, rd.inputError()
			}
		}
	}
	for {
		buf := rd.buf[:rd.w]
		for p < len(buf) {
			if inStr {
				if esc {
					esc = false
					p++
					continue
				}
				for p < len(buf) && !inString[buf[p]] {
					p++
				}
				if p == len(buf) {
					break
				}
				switch buf[p] {
				case '"':
					inStr = false
					if depth == 0 {
						return p + 1, nil
					}
				case '\\':
					esc = true
				case '\n':
					if rd.lineMode {
						return p, errNewline
					}
				}
				p++
				continue
			}
			for p < len(buf) && !structural[buf[p]] {
				p++
			}
			if p == len(buf) {
				break
			}
			switch buf[p] {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return p + 1, nil
				}
				if depth < 0 {
					return p, fmt.Errorf("unexpected %q", buf[p])
				}
			case '\n':
				if rd.lineMode {
					return p, errNewline
				}
			}
			p++
		}
		if err := rd.more(&p); err != nil {
			return p, rd.inputErrorOrTruncated()
		}
	}
}

func (rd *Reader) inputErrorOrTruncated() error {
	if rd.srcErr == io.EOF {
		return errTruncated
	}
	return rd.inputError()
}

// top reads at the top level: the start of an array, an envelope or a record.
func (rd *Reader) top() (ev *Event, err error, done bool) {
	c, err := rd.skipSpace(false)
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF, true
		}
		return nil, rd.unreadable(err), true
	}
	first := !rd.seenValue
	rd.seenValue = true
	switch c {
	case '[':
		rd.r++
		rd.st, rd.inEnvelope, rd.needComma = stElems, false, false
		return nil, nil, false
	case '{':
		return rd.topObject()
	}
	if first {
		return nil, rd.unreadable(fmt.Errorf("not CloudTrail JSON: starts with %s", describeByte(c))), true
	}
	return nil, rd.resync(fmt.Errorf("expected a JSON object or array, found %s", describeByte(c)), false), true
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// fastRecord decodes the record at r straight from the buffer when it is
// there whole and plain; nil sends the caller to the general path (scan the
// boundary, copy, decode), which handles refills, errors and fallbacks.
// Skipping the separate boundary scan makes reading about a third cheaper.
func (rd *Reader) fastRecord(top bool) *Event {
	p := rd.r
	if p >= rd.w || rd.buf[p] != '{' {
		return nil
	}
	ev := new(Event)
	n, ok := fastDecodePrefix(rd.buf[p:rd.w], ev, top)
	if !ok || n > rd.maxRecord {
		return nil
	}
	in := rd.buf[p : p+n]
	raw := bytes.Clone(in)
	rebase(ev, in, raw)
	ev.Raw = raw
	rd.r = p + n
	return ev
}

// topObject reads a top-level object. Until a "Records" key shows up it could
// be one record (NDJSON, or a file of one record), so its bytes are kept; once
// "Records" is found it is an envelope and its records are streamed.
func (rd *Reader) topObject() (ev *Event, err error, done bool) {
	if rd.lineMode {
		off := rd.offset()
		if ev := rd.fastRecord(true); ev != nil {
			idx := rd.index
			rd.index++
			if ev.EventName == "" && ev.EventSource == "" && ev.EventID == "" {
				return nil, &ParseError{Name: rd.name, Record: idx, Offset: off, Kind: ErrMalformedRecord, Err: errNotRecord}, true
			}
			return ev, nil, true
		}
	}
	rd.mark = rd.r
	rd.tooBig = false
	rd.r++
	for n := 0; ; n++ {
		c, err := rd.skipSpace(rd.lineMode)
		if err != nil {
			return nil, rd.resync(rd.syntaxCause(err), true), true
		}
		if c == '}' {
			rd.r++
			break
		}
		if n > 0 {
			if c != ',' {
				return nil, rd.resync(fmt.Errorf("expected ',' or '}' after object member, found %s", describeByte(c)), true), true
			}
			rd.r++
			if c, err = rd.skipSpace(rd.lineMode); err != nil {
				return nil, rd.resync(rd.syntaxCause(err), true), true
			}
		}
		if c != '"' {
			return nil, rd.resync(fmt.Errorf("expected an object key, found %s", describeByte(c)), true), true
		}
		end, err := rd.scanValue()
		if err != nil {
			return nil, rd.resync(err, true), true
		}
		isRecords := rd.mark >= 0 && bytes.Equal(rd.buf[rd.r:end], []byte(`"Records"`))
		rd.r = end
		if c, err = rd.skipSpace(rd.lineMode); err != nil {
			return nil, rd.resync(rd.syntaxCause(err), true), true
		}
		if c != ':' {
			return nil, rd.resync(fmt.Errorf("expected ':' after object key, found %s", describeByte(c)), true), true
		}
		rd.r++
		if c, err = rd.skipSpace(rd.lineMode); err != nil {
			return nil, rd.resync(rd.syntaxCause(err), true), true
		}
		if isRecords {
			return rd.startRecords(c)
		}
		if end, err = rd.scanValue(); err != nil {
			return nil, rd.resync(err, true), true
		}
		rd.r = end
	}
	if rd.tooBig {
		rd.tooBig = false
		e := rd.malformed(errTooBig)
		rd.index++
		return nil, e, true
	}
	raw := bytes.Clone(rd.buf[rd.mark:rd.r])
	rd.mark = -1
	if !rd.lineMode && bytes.IndexByte(raw, '\n') < 0 {
		rd.lineMode = rd.atLineEnd()
	}
	ev, err = decodeRecord(raw)
	if err == nil && ev.EventName == "" && ev.EventSource == "" && ev.EventID == "" {
		err = errNotRecord
	}
	if err != nil {
		e := rd.malformed(err)
		rd.index++
		return nil, e, true
	}
	rd.index++
	return ev, nil, true
}

// atLineEnd reports whether only spaces separate r from a newline or the end
// of input: then the value just read was one line of NDJSON.
func (rd *Reader) atLineEnd() bool {
	for p := rd.r; ; p++ {
		for p >= rd.w {
			q := p
			if err := rd.more(&q); err != nil {
				return true
			}
			p = q
		}
		switch rd.buf[p] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		default:
			return false
		}
	}
}

// startRecords begins streaming the value of a top-level "Records" key whose
// first byte is c.
func (rd *Reader) startRecords(c byte) (*Event, error, bool) {
	rd.mark = -1
	rd.tooBig = false
	switch c {
	case '[':
		rd.r++
		rd.st, rd.inEnvelope, rd.needComma = stElems, true, false
		return nil, nil, false
	case 'n':
		start := rd.r
		rd.mark = start
		end, err := rd.scanValue()
		if err == nil && string(rd.buf[rd.mark:end]) == "null" {
			rd.mark = -1
			rd.r = end
			rd.st = stEnvRest
			return nil, nil, false
		}
		rd.mark = -1
	}
	return nil, rd.unreadable(fmt.Errorf("top-level Records is %s, not an array", describeValue(c))), true
}

func describeValue(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "not JSON (" + describeByte(c) + ")"
}

// element reads the next record of an array (an envelope's Records or a bare
// top-level array).
func (rd *Reader) element() (*Event, error, bool) {
	c, err := rd.skipSpace(rd.lineMode)
	if err != nil {
		return nil, rd.syntaxError(rd.syntaxCause(err)), true
	}
	if c == ']' {
		rd.r++
		if rd.inEnvelope {
			rd.st = stEnvRest
		} else {
			rd.st = stTop
		}
		return nil, nil, false
	}
	if rd.needComma {
		if c != ',' {
			return nil, rd.syntaxError(fmt.Errorf("expected ',' or ']' after record %d, found %s", rd.index-1, describeByte(c))), true
		}
		rd.r++
		if _, err = rd.skipSpace(rd.lineMode); err != nil {
			return nil, rd.syntaxError(rd.syntaxCause(err)), true
		}
	}
	rd.needComma = true
	if ev := rd.fastRecord(false); ev != nil {
		rd.index++
		return ev, nil, true
	}
	rd.mark = rd.r
	rd.tooBig = false
	end, err := rd.scanValue()
	if err != nil {
		rd.mark = -1
		return nil, rd.syntaxError(err), true
	}
	idx := rd.index
	rd.index++
	if rd.tooBig {
		rd.tooBig = false
		rd.r = end
		return nil, &ParseError{Name: rd.name, Record: idx, Offset: rd.offset(), Kind: ErrMalformedRecord, Err: errTooBig}, true
	}
	raw := bytes.Clone(rd.buf[rd.mark:end])
	off := rd.base + int64(rd.mark)
	rd.mark = -1
	rd.r = end
	ev, err := decodeRecord(raw)
	if err != nil {
		return nil, &ParseError{Name: rd.name, Record: idx, Offset: off, Kind: ErrMalformedRecord, Err: err}, true
	}
	return ev, nil, true
}

// envelopeRest skips the envelope's members after its Records array; another
// Records member is streamed as well.
func (rd *Reader) envelopeRest() (*Event, error, bool) {
	c, err := rd.skipSpace(rd.lineMode)
	if err != nil {
		return nil, rd.syntaxError(rd.syntaxCause(err)), true
	}
	if c == '}' {
		rd.r++
		rd.st = stTop
		return nil, nil, false
	}
	if c != ',' {
		return nil, rd.syntaxError(fmt.Errorf("expected ',' or '}' in the Records envelope, found %s", describeByte(c))), true
	}
	rd.r++
	if c, err = rd.skipSpace(rd.lineMode); err != nil {
		return nil, rd.syntaxError(rd.syntaxCause(err)), true
	}
	if c != '"' {
		return nil, rd.syntaxError(fmt.Errorf("expected an object key, found %s", describeByte(c))), true
	}
	rd.mark = rd.r
	end, err := rd.scanValue()
	if err != nil {
		rd.mark = -1
		return nil, rd.syntaxError(err), true
	}
	isRecords := bytes.Equal(rd.buf[rd.mark:end], []byte(`"Records"`))
	rd.mark = -1
	rd.r = end
	if c, err = rd.skipSpace(rd.lineMode); err != nil {
		return nil, rd.syntaxError(rd.syntaxCause(err)), true
	}
	if c != ':' {
		return nil, rd.syntaxError(fmt.Errorf("expected ':' after object key, found %s", describeByte(c))), true
	}
	rd.r++
	if c, err = rd.skipSpace(rd.lineMode); err != nil {
		return nil, rd.syntaxError(rd.syntaxCause(err)), true
	}
	if isRecords {
		return rd.startRecords(c)
	}
	if end, err = rd.scanValue(); err != nil {
		return nil, rd.syntaxError(err), true
	}
	rd.r = end
	return nil, nil, false
}

func (rd *Reader) syntaxCause(err error) error {
	if err == io.EOF {
		return errTruncated
	}
	return err
}

// syntaxError handles a syntax error inside an array or envelope. In line
// mode the next line is a fresh start, so only this record is lost; otherwise
// the position of the next record is unknown and the file is unreadable.
func (rd *Reader) syntaxError(cause error) error {
	if rd.lineMode {
		return rd.resync(cause, false)
	}
	return rd.unreadable(cause)
}

// resync skips to the next line that starts with '{' or '[' after a syntax
// error and returns the error for the lost record. fromMark restarts the
// search at the start of the retained value, so that a broken first line does
// not swallow the good lines after it. When no such line exists and nothing
// was read yet, the file is unreadable, as it is when the source failed.
func (rd *Reader) resync(cause error, fromMark bool) error {
	perr := rd.malformed(cause)
	rd.index++
	if rd.srcErr != nil && rd.srcErr != io.EOF {
		rd.mark = -1
		perr.Kind, perr.Err = ErrUnreadable, rd.inputError()
		return perr
	}
	rewound := fromMark && rd.mark >= 0
	if rewound {
		rd.r = rd.mark
	}
	rd.mark = -1
	rd.st = stTop
	rd.tooBig = false
	if !rewound && errors.Is(cause, errTruncated) {
		rd.r = rd.w
	} else if rd.nextRecordLine() {
		rd.lineMode = true
		return perr
	}
	if rd.stats.Records == 0 {
		perr.Kind = ErrUnreadable
	}
	return perr
}

// nextRecordLine moves r to the start of the next line whose first non-blank
// byte is '{' or '['; false at the end of input.
func (rd *Reader) nextRecordLine() bool {
	for {
		i := bytes.IndexByte(rd.buf[rd.r:rd.w], '\n')
		if i < 0 {
			rd.r = rd.w
			p := rd.r
			if err := rd.more(&p); err != nil {
				rd.r = p
				return false
			}
			rd.r = p
			continue
		}
		rd.r += i + 1
		for {
			c, ok := rd.peekByte()
			if !ok {
				return false
			}
			if c == ' ' || c == '\t' || c == '\r' {
				rd.r++
				continue
			}
			if c == '{' || c == '[' {
				return true
			}
			break
		}
	}
}
