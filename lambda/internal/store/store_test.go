package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sample returns a distinct finding; n varies its event and detection time.
func sample(n int, account string, sev finding.Severity) finding.Finding {
	eventID := fmt.Sprintf("evt-%04d", n)
	return finding.Finding{
		FindingID:    finding.ID("CIS-4.3", eventID),
		RuleID:       "CIS-4.3",
		Title:        "Root account used",
		Severity:     sev,
		AccountID:    account,
		Region:       "eu-west-1",
		EventTime:    base.Add(time.Duration(n) * time.Minute).Format(time.RFC3339),
		DetectedAt:   base.Add(time.Duration(n) * time.Minute).Format(time.RFC3339),
		EventID:      eventID,
		EventName:    "ConsoleLogin",
		EventSource:  "signin.amazonaws.com",
		PrincipalARN: "arn:aws:iam::" + account + ":root",
		SourceIP:     "203.0.113.7",
		Summary:      "root signed in",
		Evidence:     json.RawMessage(`{"eventID":"` + eventID + `","requestParameters":null,"n":[1,2.5,{"x":true}]}`),
		Tactic:       "privilege-escalation",
		Technique:    "T1078.004",
		References:   []string{"CIS 4.3"},
		ExpiresAt:    base.Add(90 * 24 * time.Hour).Unix(),
	}
}

func TestMarshalRoundTripKeepsEvidenceAsString(t *testing.T) {
	f := sample(1, "111111111111", finding.Critical)
	item, err := store.MarshalFinding(f)
	require.NoError(t, err)
	ev, ok := item["evidence"]
	require.True(t, ok)
	assert.IsType(t, ev, item["title"], "evidence is a string attribute like title")
	got, err := store.UnmarshalFinding(item)
	require.NoError(t, err)
	assert.Equal(t, f, got)
}

func TestFromStreamImageDecodesNewImage(t *testing.T) {
	f := sample(2, "222222222222", finding.High)
	// A stream record as Lambda delivers it: DynamoDB JSON.
	image := map[string]any{
		"finding_id":    map[string]string{"S": f.FindingID},
		"rule_id":       map[string]string{"S": f.RuleID},
		"title":         map[string]string{"S": f.Title},
		"severity":      map[string]string{"S": string(f.Severity)},
		"account_id":    map[string]string{"S": f.AccountID},
		"region":        map[string]string{"S": f.Region},
		"event_time":    map[string]string{"S": f.EventTime},
		"detected_at":   map[string]string{"S": f.DetectedAt},
		"event_id":      map[string]string{"S": f.EventID},
		"event_name":    map[string]string{"S": f.EventName},
		"event_source":  map[string]string{"S": f.EventSource},
		"principal_arn": map[string]string{"S": f.PrincipalARN},
		"source_ip":     map[string]string{"S": f.SourceIP},
		"summary":       map[string]string{"S": f.Summary},
		"evidence":      map[string]string{"S": string(f.Evidence)},
		"tactic":        map[string]string{"S": f.Tactic},
		"technique":     map[string]string{"S": f.Technique},
		"references":    map[string][]string{"SS": f.References},
		"expires_at":    map[string]string{"N": fmt.Sprint(f.ExpiresAt)},
		"alerted_at":    map[string]string{"S": "2026-03-01T12:00:00Z"},
	}
	raw, err := json.Marshal(image)
	require.NoError(t, err)
	var decoded map[string]events.DynamoDBAttributeValue
	require.NoError(t, json.Unmarshal(raw, &decoded))

	got, err := store.FromStreamImage(decoded)
	require.NoError(t, err)
	assert.Equal(t, f, got)
}
