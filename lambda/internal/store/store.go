// Package store persists findings: in DynamoDB for the deployed functions and
// in memory (optionally backed by an NDJSON file) for local runs. Writes are
// idempotent: a finding whose ID is already stored is a duplicate, reported as
// created=false with no error, so retries and the two detection paths never
// produce a second finding or a second alert.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Writer stores findings. created is false when a finding with the same ID
// was already stored; that is success, not an error.
type Writer interface {
	Put(ctx context.Context, f finding.Finding) (created bool, err error)
}

// Querier reads findings back, newest first, through the table's GSIs.
type Querier interface {
	QueryByAccount(ctx context.Context, account string, since time.Time) ([]finding.Finding, error)
	QueryBySeverity(ctx context.Context, severity finding.Severity, since time.Time) ([]finding.Finding, error)
	CountBySeverity(ctx context.Context, since time.Time) (map[finding.Severity]int, error)
}

// Marker records that a finding was alerted on.
type Marker interface {
	MarkAlerted(ctx context.Context, findingID string, at time.Time) error
}

// Store is everything both implementations provide.
type Store interface {
	Writer
	Querier
	Marker
}

// Attribute names used outside the Finding struct tags.
const (
	AttrFindingID  = "finding_id"
	AttrEvidence   = "evidence"
	AttrAlertedAt  = "alerted_at"
	AttrAccountID  = "account_id"
	AttrSeverity   = "severity"
	AttrDetectedAt = "detected_at"
)

// GSI names, as declared by Terraform.
const (
	IndexByAccount  = "by_account"
	IndexBySeverity = "by_severity"
)

// MarshalFinding turns a finding into a DynamoDB item. Evidence is stored as
// a string attribute holding the JSON record: a map attribute would re-type
// every nested value and could not hold JSON null faithfully.
func MarshalFinding(f finding.Finding) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(f)
	if err != nil {
		return nil, fmt.Errorf("marshal finding %s: %w", f.FindingID, err)
	}
	if len(f.Evidence) > 0 {
		item[AttrEvidence] = &types.AttributeValueMemberS{Value: string(f.Evidence)}
	}
	return item, nil
}

// UnmarshalFinding is the inverse of MarshalFinding. Attributes that are not
// part of a finding (alerted_at) are ignored.
func UnmarshalFinding(item map[string]types.AttributeValue) (finding.Finding, error) {
	var f finding.Finding
	if err := attributevalue.UnmarshalMap(item, &f); err != nil {
		return finding.Finding{}, fmt.Errorf("unmarshal finding: %w", err)
	}
	if ev, ok := item[AttrEvidence].(*types.AttributeValueMemberS); ok && ev.Value != "" {
		f.Evidence = []byte(ev.Value)
	}
	return f, nil
}

// FromStreamImage decodes a finding from a DynamoDB stream record's NewImage,
// as the alert router receives it from aws-lambda-go.
func FromStreamImage(image map[string]events.DynamoDBAttributeValue) (finding.Finding, error) {
	item := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		av, err := streamValue(v)
		if err != nil {
			return finding.Finding{}, fmt.Errorf("stream image attribute %s: %w", k, err)
		}
		item[k] = av
	}
	return UnmarshalFinding(item)
}

func streamValue(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		var out []types.AttributeValue
		for i, e := range v.List() {
			av, err := streamValue(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out = append(out, av)
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		out := map[string]types.AttributeValue{}
		for k, e := range v.Map() {
			av, err := streamValue(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = av
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	}
	return nil, fmt.Errorf("unsupported data type %d", v.DataType())
}

// timeKey formats t the way detected_at is stored (RFC 3339 UTC, seconds), so
// that string comparison in a key condition orders like time.
func timeKey(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
