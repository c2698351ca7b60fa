// Package finding defines the security finding that every detection path
// produces, and the deterministic IDs that make writes idempotent.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Severity ranks a finding. Only critical, high and medium are ever paged.
type Severity string

// The five severities, most severe first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities lists every severity, most severe first.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// Rank orders severities: critical is 4, info is 0, an unknown severity is -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// Paged reports whether findings of this severity are published to an SNS tier.
func (s Severity) Paged() bool { return s.Rank() >= Medium.Rank() }

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(v string) (Severity, error) {
	s := Severity(strings.ToLower(strings.TrimSpace(v)))
	if s.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want one of critical, high, medium, low, info)", v)
	}
	return s, nil
}

// Finding is one detection, as stored in DynamoDB and printed by ctap.
// The JSON names are the contract of DESIGN §3.
type Finding struct {
	FindingID    string          `json:"finding_id" dynamodbav:"finding_id"`
	RuleID       string          `json:"rule_id" dynamodbav:"rule_id"`
	Title        string          `json:"title" dynamodbav:"title"`
	Severity     Severity        `json:"severity" dynamodbav:"severity"`
	AccountID    string          `json:"account_id" dynamodbav:"account_id"`
	Region       string          `json:"region" dynamodbav:"region"`
	EventTime    string          `json:"event_time" dynamodbav:"event_time"`
	DetectedAt   string          `json:"detected_at" dynamodbav:"detected_at"`
	EventID      string          `json:"event_id" dynamodbav:"event_id"`
	EventName    string          `json:"event_name" dynamodbav:"event_name"`
	EventSource  string          `json:"event_source" dynamodbav:"event_source"`
	PrincipalARN string          `json:"principal_arn" dynamodbav:"principal_arn"`
	SourceIP     string          `json:"source_ip" dynamodbav:"source_ip"`
	Summary      string          `json:"summary" dynamodbav:"summary"`
	Evidence     json.RawMessage `json:"evidence,omitempty" dynamodbav:"-"`
	Tactic       string          `json:"tactic" dynamodbav:"tactic"`
	Technique    string          `json:"technique" dynamodbav:"technique"`
	References   []string        `json:"references" dynamodbav:"references,stringset,omitempty"`
	ExpiresAt    int64           `json:"expires_at" dynamodbav:"expires_at"`
}

// ID is the finding ID of a rule that fires on one event: the hex SHA-256 of
// "rule_id|event_id". The S3 path and the real-time path compute the same ID
// for the same event, so a conditional put keeps exactly one finding.
func ID(ruleID, eventID string) string { return hash(ruleID + "|" + eventID) }

// AggregateID is the finding ID of a threshold rule: the hex SHA-256 of
// "rule_id|account|window". window names the time bucket (and, for rules
// that count per principal, the principal), so re-runs over the same data
// produce the same ID.
func AggregateID(ruleID, account, window string) string {
	return hash(ruleID + "|" + account + "|" + window)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MaxEvidenceBytes bounds the evidence so that a whole item stays well under
// DynamoDB's 400 KB item limit.
const MaxEvidenceBytes = 300 * 1024

// TrimEvidence returns record unchanged when it fits MaxEvidenceBytes, and
// otherwise a small JSON object that says it was trimmed and keeps the head
// of the record as a string, so evidence is always valid JSON.
func TrimEvidence(record []byte) json.RawMessage {
	if len(record) <= MaxEvidenceBytes {
		return json.RawMessage(record)
	}
	head := strings.ToValidUTF8(string(record[:MaxEvidenceBytes-1024]), "")
	out, _ := json.Marshal(map[string]any{
		"trimmed":        true,
		"original_bytes": len(record),
		"head":           head,
	})
	return out
}
