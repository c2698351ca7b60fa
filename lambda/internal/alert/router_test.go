package alert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// streamImage is what a DynamoDB stream delivers for an item the store wrote.
func streamImage(t testing.TB, f finding.Finding) map[string]events.DynamoDBAttributeValue {
	item, err := store.MarshalFinding(f)
	require.NoError(t, err)
	out := map[string]events.DynamoDBAttributeValue{}
	for k, v := range item {
		out[k] = toStream(t, v)
	}
	return out
}

func toStream(t testing.TB, v types.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberL:
		var l []events.DynamoDBAttributeValue
		for _, e := range v.Value {
			l = append(l, toStream(t, e))
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		m := map[string]events.DynamoDBAttributeValue{}
		for k, e := range v.Value {
			m[k] = toStream(t, e)
		}
		return events.NewMapAttribute(m)
	}
	t.Fatalf("unexpected attribute type %T", v)
	return events.DynamoDBAttributeValue{}
}

func insert(t testing.TB, seq string, f finding.Finding) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventID: "ev-" + seq, EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: seq, NewImage: streamImage(t, f)}}
}

func findingFor(rule, account string, sev finding.Severity, n int) finding.Finding {
	f := sampleFinding()
	f.RuleID, f.AccountID, f.Severity = rule, account, sev
	f.EventID = fmt.Sprintf("event-%d", n)
	f.FindingID = finding.ID(rule, f.EventID)
	return f
}

type fakePublisher struct {
	mu   sync.Mutex
	sent []*sns.PublishInput
	fail map[string]error // by topic
}

func (p *fakePublisher) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.fail[aws.ToString(in.TopicArn)]; err != nil {
		return nil, err
	}
	p.sent = append(p.sent, in)
	return &sns.PublishOutput{MessageId: aws.String("m")}, nil
}

type fakeMarker struct {
	mu     sync.Mutex
	marked []string
	err    error
}

func (m *fakeMarker) MarkAlerted(_ context.Context, id string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.marked = append(m.marked, id)
	return nil
}

// memSuppressor is the same algorithm's contract in memory, for handler tests.
type memSuppressor struct {
	mu       sync.Mutex
	windows  map[string]memWindow
	window   time.Duration
	released []string
	err      error
}

type memWindow struct {
	start      time.Time
	opener     string
	suppressed int
	announced  int
}

func (s *memSuppressor) Claim(_ context.Context, key, id string, now time.Time) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return Decision{}, s.err
	}
	if s.windows == nil {
		s.windows = map[string]memWindow{}
	}
	w, ok := s.windows[key]
	switch {
	case !ok || !now.Before(w.start.Add(s.window)):
		s.windows[key] = memWindow{start: now, opener: id, announced: w.suppressed}
		return Decision{Outcome: Send, Suppressed: w.suppressed, WindowStart: now.Unix()}, nil
	case w.opener == id:
		return Decision{Outcome: AlreadySent, Suppressed: w.announced}, nil
	default:
		w.suppressed++
		s.windows[key] = w
		return Decision{Outcome: Suppress, Suppressed: w.suppressed}, nil
	}
}

func (s *memSuppressor) Release(_ context.Context, key, id string, _ Decision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.windows[key]
	if w.opener == id {
		w.start = time.Time{}
		w.suppressed += w.announced
		s.windows[key] = w
	}
	s.released = append(s.released, id)
	return nil
}

var testTopics = Topics{finding.Critical: "arn:aws:sns:us-east-1:111122223333:crit", finding.High: "arn:aws:sns:us-east-1:111122223333:high", finding.Medium: "arn:aws:sns:us-east-1:111122223333:med"}

func newTestRouter(p Publisher, s Suppressor, m Marker, now *time.Time) *Router {
	return &Router{Publisher: p, Topics: testTopics, Suppressor: s, Marker: m, Window: time.Hour,
		Now: func() time.Time { return *now }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

func TestRouterPublishesEachPagedSeverityToItsTierOnly(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	pub, mark := &fakePublisher{}, &fakeMarker{}
	r := newTestRouter(pub, &memSuppressor{window: time.Hour}, mark, &now)
	var recs []events.DynamoDBEventRecord
	for i, sev := range finding.Severities {
		recs = append(recs, insert(t, fmt.Sprint(i), findingFor("rule-"+string(sev), "111122223333", sev, i)))
	}
	modify := insert(t, "9", findingFor("rule-modified", "111122223333", finding.Critical, 9))
	modify.EventName = "MODIFY"
	remove := insert(t, "10", findingFor("rule-removed", "111122223333", finding.Critical, 10))
	remove.EventName = "REMOVE"
	recs = append(recs, modify, remove)

	resp, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	require.Len(t, pub.sent, 3, "critical, high and medium only; low, info, MODIFY and REMOVE never")
	for i, sev := range []finding.Severity{finding.Critical, finding.High, finding.Medium} {
		in := pub.sent[i]
		assert.Equal(t, testTopics[sev], aws.ToString(in.TopicArn))
		assert.Equal(t, string(sev), aws.ToString(in.MessageAttributes[AttrSeverity].StringValue))
		assert.Equal(t, "rule-"+string(sev), aws.ToString(in.MessageAttributes[AttrRuleID].StringValue))
		assert.Equal(t, "111122223333", aws.ToString(in.MessageAttributes[AttrAccountID].StringValue))
		assert.Equal(t, "String", aws.ToString(in.MessageAttributes[AttrAccountID].DataType))
	}
	assert.Len(t, mark.marked, 3)
}

func TestRouterSuppressesWithinTheWindowAndReportsTheCountNextTime(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	pub, mark := &fakePublisher{}, &fakeMarker{}
	r := newTestRouter(pub, &memSuppressor{window: time.Hour}, mark, &now)
	batch := func(from, n int) events.DynamoDBEvent {
		var ev events.DynamoDBEvent
		for i := from; i < from+n; i++ {
			ev.Records = append(ev.Records, insert(t, fmt.Sprint(i), findingFor("iam-root-usage", "111122223333", finding.High, i)))
		}
		return ev
	}
	_, err := r.Handle(context.Background(), batch(0, 4))
	require.NoError(t, err)
	require.Len(t, pub.sent, 1)
	assert.NotContains(t, aws.ToString(pub.sent[0].Message), "suppressed")

	now = now.Add(61 * time.Minute)
	_, err = r.Handle(context.Background(), batch(10, 1))
	require.NoError(t, err)
	require.Len(t, pub.sent, 2)
	assert.Contains(t, aws.ToString(pub.sent[1].Message), "3 similar alerts were suppressed since the previous alert")
	assert.Len(t, mark.marked, 2, "suppressed findings are not marked alerted")
}

func TestRouterNeverMarksAFindingWhosePublishFailed(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	pub := &fakePublisher{fail: map[string]error{testTopics[finding.High]: errors.New("KMSAccessDenied")}}
	mark, sup := &fakeMarker{}, &memSuppressor{window: time.Hour}
	r := newTestRouter(pub, sup, mark, &now)
	recs := []events.DynamoDBEventRecord{
		insert(t, "100", findingFor("a", "1", finding.Critical, 1)),
		insert(t, "200", findingFor("b", "1", finding.High, 2)),
		insert(t, "300", findingFor("c", "1", finding.Medium, 3)),
	}
	resp, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	require.NoError(t, err)
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "200"}}, resp.BatchItemFailures,
		"the first failure is reported by sequence number; the stream resumes there")
	assert.Equal(t, []string{recs[0].Change.NewImage["finding_id"].String()}, mark.marked)
	assert.Equal(t, []string{findingFor("b", "1", finding.High, 2).FindingID}, sup.released, "the window is released so the retry can alert")
	assert.Len(t, pub.sent, 1, "processing stops at the failure")

	// The retry of the same batch, now that SNS works: b is alerted, a is
	// recognised as already sent and not published twice.
	pub.fail = nil
	resp, err = r.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	require.Len(t, pub.sent, 3)
	assert.Equal(t, testTopics[finding.High], aws.ToString(pub.sent[1].TopicArn))
}

func TestRouterFailsTheRecordWhenMarkingOrTheStateTableFails(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	rec := insert(t, "7", findingFor("a", "1", finding.Critical, 1))

	r := newTestRouter(&fakePublisher{}, &memSuppressor{window: time.Hour}, &fakeMarker{err: errors.New("throttled")}, &now)
	resp, _ := r.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "7"}}, resp.BatchItemFailures)

	pub := &fakePublisher{}
	r = newTestRouter(pub, &memSuppressor{window: time.Hour, err: errors.New("ProvisionedThroughputExceeded")}, &fakeMarker{}, &now)
	resp, _ = r.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "7"}}, resp.BatchItemFailures)
	assert.Empty(t, pub.sent, "no decision, no alert")
}

func TestRouterDropsAMalformedImageWithoutBlockingTheShard(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	pub := &fakePublisher{}
	r := newTestRouter(pub, &memSuppressor{window: time.Hour}, &fakeMarker{}, &now)
	bad := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "1",
		NewImage: map[string]events.DynamoDBAttributeValue{"finding_id": events.NewNumberAttribute("12"), "severity": events.NewListAttribute(nil)}}}
	empty := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "2"}}
	good := insert(t, "3", findingFor("a", "1", finding.Critical, 1))
	resp, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{bad, empty, good}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Len(t, pub.sent, 1)
}

func TestRouterCheckpointsBeforeTheInvocationDeadline(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	pub := &fakePublisher{}
	r := newTestRouter(pub, &memSuppressor{window: time.Hour}, &fakeMarker{}, &now)
	ctx, cancel := context.WithTimeout(context.Background(), deadlineReserve/2)
	defer cancel()
	resp, err := r.Handle(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{insert(t, "42", findingFor("a", "1", finding.Critical, 1))}})
	require.NoError(t, err)
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "42"}}, resp.BatchItemFailures)
	assert.Empty(t, pub.sent)
}

// TestStreamImageDecodesToTheStoredFinding pins what the router relies on:
// the NEW_IMAGE of an item the store wrote decodes to the same finding,
// evidence and references included.
func TestStreamImageDecodesToTheStoredFinding(t *testing.T) {
	f := sampleFinding()
	f.References = []string{"CIS 4.5", "ATT&CK T1562.008"}
	got, err := store.FromStreamImage(streamImage(t, f))
	require.NoError(t, err)
	assert.JSONEq(t, string(f.Evidence), string(got.Evidence))
	got.Evidence, f.Evidence = nil, nil
	assert.ElementsMatch(t, f.References, got.References)
	got.References, f.References = nil, nil
	assert.Equal(t, f, got)
}
