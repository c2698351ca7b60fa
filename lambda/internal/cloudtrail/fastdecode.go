package cloudtrail

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// This file is a single-pass decoder for the Event fields. encoding/json
// spends most of a replay's CPU (it scans each record twice and allocates
// every string and raw field separately); this decoder validates the record
// once and takes every string and raw field from Raw's own memory, so an
// Event costs a handful of allocations whatever its size.
//
// It is exact by construction: whenever a record strays from the plain shape
// (a wrong type, a duplicate or case-folded key, an escape or non-ASCII byte
// in a decoded string, deep nesting, invalid JSON), it gives up and the
// caller decodes with encoding/json, whose result and error are then the
// answer. FuzzFastDecode checks the two agree.

// maxFastDepth bounds the recursion of the validator; deeper records go to
// encoding/json, which has its own limit.
const maxFastDepth = 256

// byte classes inside strings: 0 plain, 1 needs a look
var strClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'], t['\\'] = 1, 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 1
	}
	return t
}()

type fastDec struct {
	b   []byte
	s   string // b as a string: decoded strings are substrings of it
	i   int
	top bool // a top-level object: "Records" means an envelope
}

// fastDecode fills ev from raw; false means "use encoding/json".
func fastDecode(raw []byte, ev *Event) bool {
	d := fastDec{b: raw}
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	// The strings share raw's memory instead of copying it: decodeRecord's
	// callers hand over a private copy that nothing writes to again.
	d.s = unsafe.String(unsafe.SliceData(raw), len(raw))
	if !d.event(ev) {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// fastDecodePrefix decodes the record that starts at b[0] and may be followed
// by more input, and returns its length. ev's strings point into b until
// rebase moves them. With top set, a "Records" key fails the decode: the
// object is an envelope, not a record.
func fastDecodePrefix(b []byte, ev *Event, top bool) (int, bool) {
	if len(b) == 0 || b[0] != '{' {
		return 0, false
	}
	d := fastDec{b: b, s: unsafe.String(unsafe.SliceData(b), len(b)), top: top}
	if !d.event(ev) {
		return 0, false
	}
	return d.i, true
}

// rebase points every string and raw field of ev that lies in from (the
// reader's buffer) at the same bytes in to (the record's own copy).
func rebase(ev *Event, from, to []byte) {
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(from)))
	hi := lo + uintptr(len(from))
	str := func(s *string) {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(*s))); len(*s) > 0 && p >= lo && p < hi {
			*s = unsafe.String(&to[p-lo], len(*s))
		}
	}
	raw := func(r *json.RawMessage) {
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(*r))); len(*r) > 0 && p >= lo && p < hi {
			off := int(p - lo)
			*r = to[off : off+len(*r) : off+len(*r)]
		}
	}
	for _, s := range []*string{&ev.EventVersion, &ev.EventTime, &ev.EventSource, &ev.EventName, &ev.AWSRegion,
		&ev.SourceIPAddress, &ev.UserAgent, &ev.ErrorCode, &ev.ErrorMessage, &ev.RequestID, &ev.EventID,
		&ev.EventType, &ev.RecipientAccountID, &ev.EventCategory} {
		str(s)
	}
	u := &ev.UserIdentity
	for _, s := range []*string{&u.Type, &u.PrincipalID, &u.ARN, &u.AccountID, &u.AccessKeyID, &u.UserName, &u.InvokedBy} {
		str(s)
	}
	if sc := u.SessionContext; sc != nil {
		is := &sc.SessionIssuer
		for _, s := range []*string{&sc.Attributes.MFAAuthenticated, &sc.Attributes.CreationDate,
			&is.Type, &is.PrincipalID, &is.ARN, &is.AccountID, &is.UserName} {
			str(s)
		}
	}
	for i := range ev.Resources {
		r := &ev.Resources[i]
		str(&r.ARN)
		str(&r.AccountID)
		str(&r.Type)
	}
	raw(&ev.RequestParameters)
	raw(&ev.ResponseElements)
	raw(&ev.AdditionalEventData)
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// object walks the members of the object at d.i, calling member with each
// key and d.i at its value; member consumes the value.
func (d *fastDec) object(member func(key string) bool) bool {
	d.i++ // '{'
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.str()
		if !ok {
			return false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.ws()
		if !member(key) {
			return false
		}
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string token. Strings with escapes or non-ASCII bytes are
// decoded by encoding/json so that unescaping and invalid UTF-8 replacement
// are exactly its own.
func (d *fastDec) str() (string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	start := d.i + 1
	j := start
	plain := true
	for {
		for j < len(d.b) && strClass[d.b[j]] == 0 {
			j++
		}
		if j >= len(d.b) {
			return "", false
		}
		c := d.b[j]
		switch {
		case c == '"':
			d.i = j + 1
			if plain {
				return d.s[start:j], true
			}
			var out string
			if json.Unmarshal(d.b[start-1:j+1], &out) != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			plain = false
			n := escapeLen(d.b, j)
			if n == 0 {
				return "", false
			}
			j += n
		case c < 0x20:
			return "", false
		default:
			plain = false
			j++
		}
	}
}

// escapeLen is the length of the valid escape at b[j] ('\\'), 0 if invalid.
func escapeLen(b []byte, j int) int {
	if j+1 >= len(b) {
		return 0
	}
	switch b[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if j+5 >= len(b) {
			return 0
		}
		for _, h := range b[j+2 : j+6] {
			if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				return 0
			}
		}
		return 6
	}
	return 0
}

// skipStr validates and skips a string token.
func (d *fastDec) skipStr() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	j := d.i + 1
	for {
		for j < len(d.b) && strClass[d.b[j]] == 0 {
			j++
		}
		if j >= len(d.b) {
			return false
		}
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c == '\\':
			n := escapeLen(d.b, j)
			if n == 0 {
				return false
			}
			j += n
		case c < 0x20:
			return false
		default:
			j++ // non-ASCII: kept verbatim in raw values, as encoding/json does
		}
	}
}

// skip validates and skips any value.
func (d *fastDec) skip(depth int) bool {
	if depth > maxFastDepth || d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		return d.skipStr()
	case c == '{':
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return true
		}
		for {
			if !d.skipStr() {
				return false
			}
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return false
			}
			d.i++
			d.ws()
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == '}' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.ws()
		}
	case c == '[':
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for {
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			if d.b[d.i] == ']' {
				d.i++
				return true
			}
			if d.b[d.i] != ',' {
				return false
			}
			d.i++
			d.ws()
		}
	case c == 't':
		return d.lit("true")
	case c == 'f':
		return d.lit("false")
	case c == 'n':
		return d.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return false
}

func (d *fastDec) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

func (d *fastDec) isNull() bool {
	return len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null"
}

// number validates a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDec) number() bool {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return true
}

// strField decodes a string field: a string, or null (which leaves it unset,
// as encoding/json does).
func (d *fastDec) strField(dst *string) bool {
	if d.isNull() {
		d.i += 4
		return true
	}
	s, ok := d.str()
	*dst = s
	return ok
}

// rawField takes a value as a sub-slice of the record (null included, as
// encoding/json keeps it).
func (d *fastDec) rawField(dst *json.RawMessage) bool {
	start := d.i
	if !d.skip(1) {
		return false
	}
	*dst = d.b[start:d.i:d.i]
	return true
}

func (d *fastDec) boolField(dst **bool) bool {
	switch {
	case d.lit("true"):
		v := true
		*dst = &v
	case d.lit("false"):
		v := false
		*dst = &v
	case d.lit("null"):
		*dst = nil
	default:
		return false
	}
	return true
}

// unknown skips a member the Event does not model, unless encoding/json's
// case-insensitive matching would map it onto a field after all.
func (d *fastDec) unknown(key string, known []string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return false
		}
	}
	for _, k := range known {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return false
		}
	}
	return d.skip(1)
}

// seen guards against duplicate keys, whose merging rules are
// encoding/json's business.
type seen uint32

func (s *seen) first(bit uint) bool {
	if *s&(1<<bit) != 0 {
		return false
	}
	*s |= 1 << bit
	return true
}

var eventKeys = []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
	"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements",
	"additionalEventData", "requestID", "eventID", "readOnly", "eventType", "managementEvent",
	"recipientAccountId", "eventCategory", "resources"}

func (d *fastDec) event(ev *Event) bool {
	var s seen
	return d.object(func(key string) bool {
		switch key {
		case "eventVersion":
			return s.first(0) && d.strField(&ev.EventVersion)
		case "userIdentity":
			return s.first(1) && d.userIdentity(&ev.UserIdentity)
		case "eventTime":
			return s.first(2) && d.strField(&ev.EventTime)
		case "eventSource":
			return s.first(3) && d.strField(&ev.EventSource)
		case "eventName":
			return s.first(4) && d.strField(&ev.EventName)
		case "awsRegion":
			return s.first(5) && d.strField(&ev.AWSRegion)
		case "sourceIPAddress":
			return s.first(6) && d.strField(&ev.SourceIPAddress)
		case "userAgent":
			return s.first(7) && d.strField(&ev.UserAgent)
		case "errorCode":
			return s.first(8) && d.strField(&ev.ErrorCode)
		case "errorMessage":
			return s.first(9) && d.strField(&ev.ErrorMessage)
		case "requestParameters":
			return s.first(10) && d.rawField(&ev.RequestParameters)
		case "responseElements":
			return s.first(11) && d.rawField(&ev.ResponseElements)
		case "additionalEventData":
			return s.first(12) && d.rawField(&ev.AdditionalEventData)
		case "requestID":
			return s.first(13) && d.strField(&ev.RequestID)
		case "eventID":
			return s.first(14) && d.strField(&ev.EventID)
		case "readOnly":
			return s.first(15) && d.boolField(&ev.ReadOnly)
		case "eventType":
			return s.first(16) && d.strField(&ev.EventType)
		case "managementEvent":
			return s.first(17) && d.boolField(&ev.ManagementEvent)
		case "recipientAccountId":
			return s.first(18) && d.strField(&ev.RecipientAccountID)
		case "eventCategory":
			return s.first(19) && d.strField(&ev.EventCategory)
		case "resources":
			return s.first(20) && d.resources(&ev.Resources)
		}
		if d.top && key == "Records" {
			return false
		}
		return d.unknown(key, eventKeys)
	})
}

var identityKeys = []string{"type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy", "sessionContext"}

func (d *fastDec) userIdentity(u *UserIdentity) bool {
	if d.lit("null") {
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	var s seen
	return d.object(func(key string) bool {
		switch key {
		case "type":
			return s.first(0) && d.strField(&u.Type)
		case "principalId":
			return s.first(1) && d.strField(&u.PrincipalID)
		case "arn":
			return s.first(2) && d.strField(&u.ARN)
		case "accountId":
			return s.first(3) && d.strField(&u.AccountID)
		case "accessKeyId":
			return s.first(4) && d.strField(&u.AccessKeyID)
		case "userName":
			return s.first(5) && d.strField(&u.UserName)
		case "invokedBy":
			return s.first(6) && d.strField(&u.InvokedBy)
		case "sessionContext":
			return s.first(7) && d.sessionContext(&u.SessionContext)
		}
		return d.unknown(key, identityKeys)
	})
}

var (
	sessionKeys    = []string{"attributes", "sessionIssuer"}
	attributesKeys = []string{"mfaAuthenticated", "creationDate"}
	issuerKeys     = []string{"type", "principalId", "arn", "accountId", "userName"}
	resourceKeys   = []string{"ARN", "accountId", "type"}
)

func (d *fastDec) sessionContext(dst **SessionContext) bool {
	if d.lit("null") {
		*dst = nil
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	sc := new(SessionContext)
	*dst = sc
	var s seen
	return d.object(func(key string) bool {
		switch key {
		case "attributes":
			if !s.first(0) {
				return false
			}
			if d.lit("null") {
				return true
			}
			if d.i >= len(d.b) || d.b[d.i] != '{' {
				return false
			}
			var s2 seen
			a := &sc.Attributes
			return d.object(func(key string) bool {
				switch key {
				case "mfaAuthenticated":
					return s2.first(0) && d.strField(&a.MFAAuthenticated)
				case "creationDate":
					return s2.first(1) && d.strField(&a.CreationDate)
				}
				return d.unknown(key, attributesKeys)
			})
		case "sessionIssuer":
			if !s.first(1) {
				return false
			}
			if d.lit("null") {
				return true
			}
			if d.i >= len(d.b) || d.b[d.i] != '{' {
				return false
			}
			var s2 seen
			is := &sc.SessionIssuer
			return d.object(func(key string) bool {
				switch key {
				case "type":
					return s2.first(0) && d.strField(&is.Type)
				case "principalId":
					return s2.first(1) && d.strField(&is.PrincipalID)
				case "arn":
					return s2.first(2) && d.strField(&is.ARN)
				case "accountId":
					return s2.first(3) && d.strField(&is.AccountID)
				case "userName":
					return s2.first(4) && d.strField(&is.UserName)
				}
				return d.unknown(key, issuerKeys)
			})
		}
		return d.unknown(key, sessionKeys)
	})
}

func (d *fastDec) resources(dst *[]Resource) bool {
	if d.lit("null") {
		*dst = nil
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return false
	}
	d.i++
	d.ws()
	out := []Resource{}
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		*dst = out
		return true
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '{' {
			return false // null elements and the like: encoding/json's call
		}
		var r Resource
		var s seen
		if !d.object(func(key string) bool {
			switch key {
			case "ARN":
				return s.first(0) && d.strField(&r.ARN)
			case "accountId":
				return s.first(1) && d.strField(&r.AccountID)
			case "type":
				return s.first(2) && d.strField(&r.Type)
			}
			return d.unknown(key, resourceKeys)
		}) {
			return false
		}
		out = append(out, r)
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		if d.b[d.i] == ']' {
			d.i++
			*dst = out
			return true
		}
		if d.b[d.i] != ',' {
			return false
		}
		d.i++
		d.ws()
	}
}
