package cloudtrail

import (
	"strings"
	"time"
)

// KeyKind classifies an S3 object key of a CloudTrail log archive.
type KeyKind int

// The kinds of key in a CloudTrail archive. Only KindEvent objects hold
// event records; digests and Insights files have other shapes.
const (
	KindOther   KeyKind = iota // anything else: skip
	KindEvent                  // .../CloudTrail/.../*.json.gz or *.json
	KindDigest                 // .../CloudTrail-Digest/...
	KindInsight                // .../CloudTrail-Insight/...
)

// String names the kind for logs.
func (k KeyKind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindDigest:
		return "digest"
	case KindInsight:
		return "insight"
	}
	return "other"
}

// ClassifyKey says what an object key holds, from its path segments: a
// "CloudTrail-Digest" or "CloudTrail-Insight" segment marks digests and
// Insights files; a "CloudTrail" segment and a .json.gz or .json name marks an
// event file. Keys in S3 event notifications are URL-encoded: decode them
// first.
func ClassifyKey(key string) KeyKind {
	kind := KindOther
	for rest := key; rest != ""; {
		seg := rest
		i := strings.IndexByte(rest, '/')
		if i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		switch seg {
		case "CloudTrail-Digest":
			return KindDigest
		case "CloudTrail-Insight":
			return KindInsight
		case "CloudTrail":
			if i >= 0 { // a directory, not the file name
				kind = KindEvent
			}
		}
	}
	if kind == KindEvent && (strings.HasSuffix(key, ".json.gz") || strings.HasSuffix(key, ".json")) {
		return KindEvent
	}
	return KindOther
}

// KeyInfo is what a CloudTrail object key says about its contents.
type KeyInfo struct {
	Prefix    string    // the trail's S3 key prefix before "AWSLogs/", without the slash ("" when none)
	OrgID     string    // o-xxxxxxxxxx for organization trails; "" for the account's own path
	AccountID string    // 12-digit account the logs belong to
	Kind      KeyKind   // event, digest or insight
	Region    string    // region the events were recorded in
	Date      time.Time // the day of the path (UTC midnight)
	File      string    // the object's file name
}

// ParseKey parses AWSLogs/<org-id>/<account-id>/CloudTrail/<region>/YYYY/MM/DD/<file>
// and the management-account form AWSLogs/<account-id>/CloudTrail/..., with
// an optional trail prefix before AWSLogs and CloudTrail-Digest or
// CloudTrail-Insight in place of CloudTrail. ok is false for any other key.
func ParseKey(key string) (KeyInfo, bool) {
	var info KeyInfo
	segs := strings.Split(key, "/")
	at := -1
	for i, s := range segs {
		if s == "AWSLogs" {
			at = i
			break
		}
	}
	if at < 0 {
		return info, false
	}
	info.Prefix = strings.Join(segs[:at], "/")
	rest := segs[at+1:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
		info.OrgID, rest = rest[0], rest[1:]
	}
	// account, CloudTrail*, region, YYYY, MM, DD, file
	if len(rest) != 7 || !isAccountID(rest[0]) || rest[6] == "" {
		return KeyInfo{}, false
	}
	info.AccountID = rest[0]
	switch rest[1] {
	case "CloudTrail":
		info.Kind = KindEvent
	case "CloudTrail-Digest":
		info.Kind = KindDigest
	case "CloudTrail-Insight":
		info.Kind = KindInsight
	default:
		return KeyInfo{}, false
	}
	info.Region = rest[2]
	if info.Region == "" {
		return KeyInfo{}, false
	}
	if len(rest[3]) != 4 || len(rest[4]) != 2 || len(rest[5]) != 2 {
		return KeyInfo{}, false
	}
	d, err := time.Parse("2006/01/02", rest[3]+"/"+rest[4]+"/"+rest[5])
	if err != nil {
		return KeyInfo{}, false
	}
	info.Date = d.UTC()
	info.File = rest[6]
	return info, true
}

func isAccountID(s string) bool {
	return len(s) == 12 && allDigits(s)
}
