// Package cloudtrail reads CloudTrail records from log files and from the
// real-time envelopes (EventBridge, CloudWatch Logs subscriptions), and models
// one record as an Event.
package cloudtrail

import (
	"encoding/json"
	"time"
)

// Event is one CloudTrail record. Fields whose shape varies by service
// (requestParameters, responseElements, additionalEventData) stay raw JSON;
// they may be absent, null, or any JSON value.
type Event struct {
	EventVersion        string          `json:"eventVersion,omitempty"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime,omitempty"`
	EventSource         string          `json:"eventSource,omitempty"`
	EventName           string          `json:"eventName,omitempty"`
	AWSRegion           string          `json:"awsRegion,omitempty"`
	SourceIPAddress     string          `json:"sourceIPAddress,omitempty"`
	UserAgent           string          `json:"userAgent,omitempty"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters,omitempty"`
	ResponseElements    json.RawMessage `json:"responseElements,omitempty"`
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID,omitempty"`
	EventID             string          `json:"eventID,omitempty"`
	ReadOnly            *bool           `json:"readOnly,omitempty"`
	EventType           string          `json:"eventType,omitempty"`
	ManagementEvent     *bool           `json:"managementEvent,omitempty"`
	RecipientAccountID  string          `json:"recipientAccountId,omitempty"`
	EventCategory       string          `json:"eventCategory,omitempty"`
	Resources           []Resource      `json:"resources,omitempty"`

	// Raw holds the record exactly as read, for a finding's evidence. Do not
	// modify it: the decoded strings and raw fields may share its memory.
	Raw json.RawMessage `json:"-"`
}

// UserIdentity is who made the call. Service events may carry only
// invokedBy, with no type.
type UserIdentity struct {
	Type           string          `json:"type,omitempty"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	Attributes struct {
		MFAAuthenticated string `json:"mfaAuthenticated,omitempty"` // "true" or "false"
		CreationDate     string `json:"creationDate,omitempty"`
	} `json:"attributes"`
	SessionIssuer struct {
		Type        string `json:"type,omitempty"`
		PrincipalID string `json:"principalId,omitempty"`
		ARN         string `json:"arn,omitempty"`
		AccountID   string `json:"accountId,omitempty"`
		UserName    string `json:"userName,omitempty"`
	} `json:"sessionIssuer"`
}

// Resource is one entry of the record's resources list.
type Resource struct {
	ARN       string `json:"ARN,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
}

// Time parses EventTime; the zero time when it is missing or malformed.
func (e *Event) Time() time.Time {
	t, err := time.Parse(time.RFC3339, e.EventTime)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// AccountID is the account the event belongs to: recipientAccountId, else
// the caller's account.
func (e *Event) AccountID() string {
	if e.RecipientAccountID != "" {
		return e.RecipientAccountID
	}
	return e.UserIdentity.AccountID
}

// PrincipalARN is the best ARN for the caller: the identity's ARN, else the
// session issuer's, else invokedBy for service events.
func (e *Event) PrincipalARN() string {
	u := e.UserIdentity
	switch {
	case u.ARN != "":
		return u.ARN
	case u.SessionContext != nil && u.SessionContext.SessionIssuer.ARN != "":
		return u.SessionContext.SessionIssuer.ARN
	default:
		return u.InvokedBy
	}
}
