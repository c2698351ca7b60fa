package alert

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Outcome is what the suppression window allows for one finding.
type Outcome int

// The outcomes of Claim.
const (
	// Send: this finding opened a new window; publish it.
	Send Outcome = iota
	// Suppress: another alert for the same rule and account was sent within
	// the window; this one is counted and not published.
	Suppress
	// AlreadySent: this very finding opened the current window earlier (a
	// retried stream record); it was published then and is not sent again.
	AlreadySent
)

func (o Outcome) String() string {
	switch o {
	case Send:
		return "send"
	case Suppress:
		return "suppress"
	case AlreadySent:
		return "already_sent"
	}
	return "unknown"
}

// Decision is Claim's answer.
type Decision struct {
	Outcome Outcome
	// Suppressed is, for Send, how many alerts were held back since the
	// previous alert for this key; for Suppress, the count so far in this
	// window, this one included.
	Suppressed int
	// WindowStart identifies the window a Send opened, for Release.
	WindowStart int64
}

// Suppressor decides whether a finding may be alerted on.
type Suppressor interface {
	Claim(ctx context.Context, key, findingID string, now time.Time) (Decision, error)
	// Release undoes a Send whose publish failed, so that the retry (or the
	// next finding) can alert and the suppressed count is not lost.
	Release(ctx context.Context, key, findingID string, d Decision) error
}

// Key is the suppression key of a (rule, account) pair.
func Key(ruleID, accountID string) string { return ruleID + "|" + accountID }

// DynamoDBAPI is the part of the DynamoDB client the suppressor uses.
type DynamoDBAPI interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Attribute names in the alert state table (ALERT_STATE_TABLE).
const (
	attrKey         = "suppression_key" // hash key (S)
	attrWindowStart = "window_start"    // epoch seconds the current window opened (N)
	attrSuppressed  = "suppressed"      // alerts held back in the current window (N)
	attrAnnounced   = "announced"       // the count the window's alert reported (N)
	attrLastFinding = "last_finding_id" // the finding that opened the window (S)
	attrExpiresAt   = "expires_at"      // TTL (N)
)

// DynamoDBSuppressor keeps one item per (rule, account) and decides with
// conditional writes, so that concurrent invocations agree: DynamoDB applies
// conditional updates to one item one at a time, and exactly one of them
// opens each window.
type DynamoDBSuppressor struct {
	Client DynamoDBAPI
	Table  string
	Window time.Duration
}

// maxClaimAttempts bounds the loop in which a window expires between the
// two conditional writes; more than one retry means the clock is racing the
// window edge, and the next attempt resolves it.
const maxClaimAttempts = 4

// Claim opens a new window (Send) when there is none or the last one has
// expired; otherwise it counts the finding as suppressed.
//
// The open is one UpdateItem conditioned on "no item, or window_start at or
// before now-window". Its SET copies the old suppressed count into announced
// (update expressions read the item as it was before the update), so the
// alert can say how many were held back without a read. When that condition
// fails, a second UpdateItem adds one to suppressed, conditioned on the
// window still being open and on the finding not being the one that opened
// it; a retried opener is recognised by a consistent read instead.
func (s *DynamoDBSuppressor) Claim(ctx context.Context, key, findingID string, now time.Time) (Decision, error) {
	nowSec := now.Unix()
	cutoff := nowSec - int64(s.Window/time.Second)
	expires := now.Add(s.Window + 24*time.Hour).Unix()
	for attempt := 0; attempt < maxClaimAttempts; attempt++ {
		out, err := s.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           aws.String(s.Table),
			Key:                 map[string]types.AttributeValue{attrKey: str(key)},
			UpdateExpression:    aws.String("SET #ws = :now, #ann = if_not_exists(#sup, :zero), #sup = :zero, #last = :id, #exp = :exp"),
			ConditionExpression: aws.String("attribute_not_exists(#key) OR #ws <= :cutoff"),
			ExpressionAttributeNames: map[string]string{
				"#key": attrKey, "#ws": attrWindowStart, "#ann": attrAnnounced, "#sup": attrSuppressed, "#last": attrLastFinding, "#exp": attrExpiresAt,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": num(nowSec), ":zero": num(0), ":id": str(findingID), ":exp": num(expires), ":cutoff": num(cutoff),
			},
			ReturnValues: types.ReturnValueAllNew,
		})
		if err == nil {
			return Decision{Outcome: Send, Suppressed: intAttr(out.Attributes, attrAnnounced), WindowStart: nowSec}, nil
		}
		if !conditionFailed(err) {
			return Decision{}, fmt.Errorf("open alert window %q in %s: %w", key, s.Table, err)
		}

		out, err = s.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           aws.String(s.Table),
			Key:                 map[string]types.AttributeValue{attrKey: str(key)},
			UpdateExpression:    aws.String("ADD #sup :one"),
			ConditionExpression: aws.String("attribute_exists(#key) AND #ws > :cutoff AND #last <> :id"),
			ExpressionAttributeNames: map[string]string{
				"#key": attrKey, "#ws": attrWindowStart, "#sup": attrSuppressed, "#last": attrLastFinding,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":cutoff": num(cutoff), ":id": str(findingID)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		if err == nil {
			return Decision{Outcome: Suppress, Suppressed: intAttr(out.Attributes, attrSuppressed)}, nil
		}
		if !conditionFailed(err) {
			return Decision{}, fmt.Errorf("count suppressed alert %q in %s: %w", key, s.Table, err)
		}

		got, err := s.Client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.Table),
			Key:            map[string]types.AttributeValue{attrKey: str(key)},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return Decision{}, fmt.Errorf("read alert window %q in %s: %w", key, s.Table, err)
		}
		if strAttr(got.Item, attrLastFinding) == findingID && int64(intAttr(got.Item, attrWindowStart)) > cutoff {
			return Decision{Outcome: AlreadySent, Suppressed: intAttr(got.Item, attrAnnounced), WindowStart: int64(intAttr(got.Item, attrWindowStart))}, nil
		}
		// The window expired between the two writes: try to open it again.
	}
	return Decision{}, fmt.Errorf("alert window %q in %s: no decision after %d attempts", key, s.Table, maxClaimAttempts)
}

// Release closes the window a failed Send opened and folds the count it was
// going to announce back into suppressed, so that the next alert reports it.
// It only touches the window this finding opened.
func (s *DynamoDBSuppressor) Release(ctx context.Context, key, findingID string, d Decision) error {
	_, err := s.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 map[string]types.AttributeValue{attrKey: str(key)},
		UpdateExpression:    aws.String("SET #ws = :zero, #sup = #sup + #ann, #ann = :zero"),
		ConditionExpression: aws.String("#last = :id AND #ws = :ws"),
		ExpressionAttributeNames: map[string]string{
			"#ws": attrWindowStart, "#sup": attrSuppressed, "#ann": attrAnnounced, "#last": attrLastFinding,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": num(0), ":id": str(findingID), ":ws": num(d.WindowStart)},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("release alert window %q in %s: %w", key, s.Table, err)
	}
	return nil
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func intAttr(item map[string]types.AttributeValue, name string) int {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err == nil {
			return int(n)
		}
	}
	return 0
}

func strAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
