package cloudtrail

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// BaseEventName is the event name without the API-version suffix that some
// services append (Lambda's "UpdateFunctionCode20150331v2" becomes
// "UpdateFunctionCode"), so that rules can match the operation itself.
func (e *Event) BaseEventName() string {
	return baseEventName(e.EventName)
}

func baseEventName(name string) string {
	end := len(name)
	// Optional "v<digits>" after the date.
	if i := strings.LastIndexByte(name, 'v'); i > 0 && i < end-1 && allDigits(name[i+1:]) {
		end = i
	}
	// An eight-digit API date starting 19xx or 20xx.
	if end < 9 {
		return name
	}
	date := name[end-8 : end]
	if !allDigits(date) || (date[:2] != "19" && date[:2] != "20") {
		return name
	}
	return name[:end-8]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// MFAUsed reports whether a console sign-in used MFA
// (additionalEventData.MFAUsed is "Yes").
func (e *Event) MFAUsed() bool {
	v, _ := LookupRaw(e.AdditionalEventData, "MFAUsed")
	return bytes.Equal(v, []byte(`"Yes"`))
}

// SessionMFA reports whether the caller's temporary credentials were issued
// with MFA (sessionContext.attributes.mfaAuthenticated is "true").
func (e *Event) SessionMFA() bool {
	sc := e.UserIdentity.SessionContext
	return sc != nil && strings.EqualFold(sc.Attributes.MFAAuthenticated, "true")
}

// IsRoot reports whether the caller is the account's root user.
func (e *Event) IsRoot() bool {
	return e.UserIdentity.Type == "Root"
}

// IsRootActivity reports root usage as CIS 4.3 defines it: a root caller,
// not invoked by an AWS service, in an event that is not a service event.
func (e *Event) IsRootActivity() bool {
	return e.IsRoot() && e.UserIdentity.InvokedBy == "" && e.EventType != "AwsServiceEvent"
}

// IsAccessDenied reports whether the call failed for lack of permission.
// Services spell this differently: AccessDenied (S3, IAM),
// Client.UnauthorizedOperation (EC2), *AccessDeniedException (most JSON
// APIs), UnauthorizedAccess, Forbidden. This is a superset of the CIS 4.1
// filter (errorCode "*UnauthorizedOperation" or "AccessDenied*").
func (e *Event) IsAccessDenied() bool {
	return IsAccessDeniedCode(e.ErrorCode)
}

// IsAccessDeniedCode reports whether a CloudTrail errorCode means the caller
// lacked permission; see Event.IsAccessDenied.
func IsAccessDeniedCode(code string) bool {
	if code == "" {
		return false
	}
	if i := strings.LastIndexByte(code, '.'); i >= 0 { // "Client.UnauthorizedOperation"
		code = code[i+1:]
	}
	switch {
	case strings.HasPrefix(code, "AccessDenied"),
		strings.HasSuffix(code, "AccessDenied"),
		strings.HasSuffix(code, "AccessDeniedException"),
		strings.HasSuffix(code, "UnauthorizedOperation"):
		return true
	}
	switch code {
	case "UnauthorizedAccess", "UnauthorizedAccessException", "Unauthorized",
		"UnauthorizedException", "Forbidden", "ForbiddenException",
		"AuthorizationError", "AuthorizationErrorException":
		return true
	}
	return false
}

// ConsoleLoginResult is responseElements.ConsoleLogin of a ConsoleLogin event
// ("Success" or "Failure"); empty when absent.
func (e *Event) ConsoleLoginResult() string {
	s, _ := lookupString(e.ResponseElements, "ConsoleLogin")
	return s
}

// Param looks up a value in requestParameters; see Lookup.
func (e *Event) Param(path ...string) (any, bool) { return Lookup(e.RequestParameters, path...) }

// ParamString is the string at path in requestParameters; "" when absent or
// not a string.
func (e *Event) ParamString(path ...string) string {
	s, _ := lookupString(e.RequestParameters, path...)
	return s
}

// ParamRaw is the raw JSON at path in requestParameters; see LookupRaw.
func (e *Event) ParamRaw(path ...string) (json.RawMessage, bool) {
	return LookupRaw(e.RequestParameters, path...)
}

// Response looks up a value in responseElements; see Lookup.
func (e *Event) Response(path ...string) (any, bool) { return Lookup(e.ResponseElements, path...) }

// ResponseString is the string at path in responseElements; "" when absent
// or not a string.
func (e *Event) ResponseString(path ...string) string {
	s, _ := lookupString(e.ResponseElements, path...)
	return s
}

// Additional looks up a value in additionalEventData; see Lookup.
func (e *Event) Additional(path ...string) (any, bool) {
	return Lookup(e.AdditionalEventData, path...)
}

// Lookup finds the value at path in raw JSON and decodes it the way
// encoding/json decodes into an interface (string, float64, bool, nil,
// []any, map[string]any). A path element indexes an object by key, or an
// array by decimal index. ok is false when raw is absent, null, not valid
// JSON or lacks the path; a JSON null found at the path gives (nil, true).
//
// It walks the raw bytes rather than decoding the whole document, so looking
// up one key of a large requestParameters allocates only the result, and an
// Event needs no mutable cache (it can be shared between goroutines).
func Lookup(raw json.RawMessage, path ...string) (any, bool) {
	v, ok := LookupRaw(raw, path...)
	if !ok {
		return nil, false
	}
	switch v[0] {
	case '"':
		if s, ok := unquoteFast(v); ok {
			return s, true
		}
	case 'n':
		return nil, true
	case 't':
		return true, true
	case 'f':
		return false, true
	case '{', '[':
	default:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	}
	var out any
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, false
	}
	return out, true
}

func lookupString(raw json.RawMessage, path ...string) (string, bool) {
	v, ok := LookupRaw(raw, path...)
	if !ok || v[0] != '"' {
		return "", false
	}
	if s, ok := unquoteFast(v); ok {
		return s, true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}

// unquoteFast decodes a JSON string without escapes.
func unquoteFast(v []byte) (string, bool) {
	if len(v) < 2 || v[len(v)-1] != '"' || bytes.IndexByte(v[1:len(v)-1], '\\') >= 0 {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}

// LookupRaw returns the raw JSON value at path in raw (raw itself, trimmed,
// for an empty path). ok is false when raw is absent, null or malformed, or
// the path does not exist. The result aliases raw.
func LookupRaw(raw json.RawMessage, path ...string) (json.RawMessage, bool) {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 || (len(path) > 0 && bytes.Equal(v, []byte("null"))) {
		return nil, false
	}
	for _, key := range path {
		var ok bool
		switch v[0] {
		case '{':
			v, ok = objectMember(v, key)
		case '[':
			idx, err := strconv.Atoi(key)
			if err != nil || idx < 0 {
				return nil, false
			}
			v, ok = arrayElement(v, idx)
		}
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// objectMember finds key in the object v (which starts with '{').
func objectMember(v []byte, key string) ([]byte, bool) {
	i := skipWS(v, 1)
	if i < len(v) && v[i] == '}' {
		return nil, false
	}
	for i < len(v) {
		if v[i] != '"' {
			return nil, false
		}
		kend := skipJSONValue(v, i)
		if kend < 0 {
			return nil, false
		}
		match := keyEquals(v[i:kend], key)
		i = skipWS(v, kend)
		if i >= len(v) || v[i] != ':' {
			return nil, false
		}
		i = skipWS(v, i+1)
		vend := skipJSONValue(v, i)
		if vend < 0 {
			return nil, false
		}
		if match {
			return v[i:vend], true
		}
		i = skipWS(v, vend)
		if i >= len(v) || v[i] != ',' {
			return nil, false
		}
		i = skipWS(v, i+1)
	}
	return nil, false
}

func keyEquals(quoted []byte, key string) bool {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == key // compared without allocating
	}
	var s string
	return json.Unmarshal(quoted, &s) == nil && s == key
}

// arrayElement finds element idx of the array v (which starts with '[').
func arrayElement(v []byte, idx int) ([]byte, bool) {
	i := skipWS(v, 1)
	if i < len(v) && v[i] == ']' {
		return nil, false
	}
	for n := 0; i < len(v); n++ {
		end := skipJSONValue(v, i)
		if end < 0 {
			return nil, false
		}
		if n == idx {
			return v[i:end], true
		}
		i = skipWS(v, end)
		if i >= len(v) || v[i] != ',' {
			return nil, false
		}
		i = skipWS(v, i+1)
	}
	return nil, false
}

func skipWS(v []byte, i int) int {
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	return i
}

// skipJSONValue returns the offset just past the value starting at v[i], or
// -1 when it does not end inside v. Like the Reader's scanner it tracks only
// strings and brackets, iteratively, so any nesting depth is safe.
func skipJSONValue(v []byte, i int) int {
	if i >= len(v) {
		return -1
	}
	switch v[i] {
	case '{', '[', '"':
	case '}', ']', ',', ':':
		return -1
	default:
		for i < len(v) && !delimiter[v[i]] {
			i++
		}
		return i
	}
	depth := 0
	for i < len(v) {
		c := v[i]
		switch c {
		case '"':
			i++
			for i < len(v) && v[i] != '"' {
				if v[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(v) {
				return -1
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return -1
			}
		}
		i++
	}
	return -1
}
