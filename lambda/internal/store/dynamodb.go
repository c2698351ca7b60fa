package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// DynamoDBAPI is the part of the DynamoDB client the store uses.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Retry bounds for throttled writes: a burst of findings from one large file
// should wait out throttling rather than fail the SQS message, but never for
// longer than a Lambda invocation can afford.
const (
	MaxAttempts = 8
	MaxBackoff  = 5 * time.Second
)

// NewDynamoDBClient builds a DynamoDB client whose standard retryer retries
// throttling and transient errors up to MaxAttempts times with jittered
// exponential backoff capped at MaxBackoff. The client-side retry token
// bucket is disabled: it exists to stop retry storms across many requests,
// but in a short-lived function a burst of throttles would exhaust it and
// turn retryable throttles into failed files.
func NewDynamoDBClient(cfg aws.Config, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	opts := append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = MaxAttempts
			so.MaxBackoff = MaxBackoff
			so.RateLimiter = ratelimit.None
		})
	}}, optFns...)
	return dynamodb.NewFromConfig(cfg, opts...)
}

// DynamoDB stores findings in the findings table (DESIGN §3).
type DynamoDB struct {
	client DynamoDBAPI
	table  string
}

// NewDynamoDB returns a store on table. Build client with NewDynamoDBClient
// so that throttling is retried.
func NewDynamoDB(client DynamoDBAPI, table string) *DynamoDB {
	return &DynamoDB{client: client, table: table}
}

// Table returns the table name.
func (d *DynamoDB) Table() string { return d.table }

// Put writes f unless a finding with its ID exists. The conditional put is
// what makes every write path idempotent.
func (d *DynamoDB) Put(ctx context.Context, f finding.Finding) (bool, error) {
	if f.FindingID == "" {
		return false, fmt.Errorf("put finding: empty finding_id (rule %s, event %s)", f.RuleID, f.EventID)
	}
	item, err := MarshalFinding(f)
	if err != nil {
		return false, err
	}
	_, err = d.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(d.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": AttrFindingID},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ccf):
		return false, nil
	default:
		return false, fmt.Errorf("put finding %s into %s: %w", f.FindingID, d.table, err)
	}
}

// Get returns the finding with id; ok is false when there is none.
func (d *DynamoDB) Get(ctx context.Context, id string) (f finding.Finding, ok bool, err error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            map[string]types.AttributeValue{AttrFindingID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return finding.Finding{}, false, fmt.Errorf("get finding %s from %s: %w", id, d.table, err)
	}
	if len(out.Item) == 0 {
		return finding.Finding{}, false, nil
	}
	f, err = UnmarshalFinding(out.Item)
	return f, err == nil, err
}

// MarkAlerted sets alerted_at on an existing finding. It fails when the
// finding does not exist rather than creating a stub item.
func (d *DynamoDB) MarkAlerted(ctx context.Context, id string, at time.Time) error {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       map[string]types.AttributeValue{AttrFindingID: &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:          aws.String("SET #alerted = :at"),
		ConditionExpression:       aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames:  map[string]string{"#alerted": AttrAlertedAt, "#id": AttrFindingID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339)}},
	})
	if err != nil {
		return fmt.Errorf("mark finding %s alerted in %s: %w", id, d.table, err)
	}
	return nil
}

// QueryByAccount returns the account's findings detected at or after since,
// newest first.
func (d *DynamoDB) QueryByAccount(ctx context.Context, account string, since time.Time) ([]finding.Finding, error) {
	return d.query(ctx, IndexByAccount, AttrAccountID, account, since)
}

// QueryBySeverity returns findings of one severity detected at or after
// since, newest first.
func (d *DynamoDB) QueryBySeverity(ctx context.Context, severity finding.Severity, since time.Time) ([]finding.Finding, error) {
	return d.query(ctx, IndexBySeverity, AttrSeverity, string(severity), since)
}

func (d *DynamoDB) query(ctx context.Context, index, attr, value string, since time.Time) ([]finding.Finding, error) {
	p := dynamodb.NewQueryPaginator(d.client, d.queryInput(index, attr, value, since))
	var out []finding.Finding
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s.%s for %s=%s: %w", d.table, index, attr, value, err)
		}
		for _, item := range page.Items {
			f, err := UnmarshalFinding(item)
			if err != nil {
				return nil, fmt.Errorf("query %s.%s: %w", d.table, index, err)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func (d *DynamoDB) queryInput(index, attr, value string, since time.Time) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:              aws.String(d.table),
		IndexName:              aws.String(index),
		KeyConditionExpression: aws.String("#pk = :pk AND #at >= :since"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attr,
			"#at": AttrDetectedAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":    &types.AttributeValueMemberS{Value: value},
			":since": &types.AttributeValueMemberS{Value: timeKey(since)},
		},
		ScanIndexForward: aws.Bool(false),
	}
}

// CountBySeverity counts findings detected at or after since, per severity.
// Every severity is present in the result, zero included.
func (d *DynamoDB) CountBySeverity(ctx context.Context, since time.Time) (map[finding.Severity]int, error) {
	counts := make(map[finding.Severity]int, len(finding.Severities))
	for _, sev := range finding.Severities {
		in := d.queryInput(IndexBySeverity, AttrSeverity, string(sev), since)
		in.Select = types.SelectCount
		p := dynamodb.NewQueryPaginator(d.client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("count %s findings in %s: %w", sev, d.table, err)
			}
			counts[sev] += int(page.Count)
		}
	}
	return counts, nil
}
