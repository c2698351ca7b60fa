package alert

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goaws "github.com/Admiral-Piett/goaws/app"
	goawsrouter "github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

func snsClient(endpoint string) *sns.Client {
	return sns.New(sns.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: NewSNSRetryer(),
	})
}

// notification is the JSON goaws POSTs to an HTTP subscriber.
type notification struct {
	Type              string
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

// subscriber records the notifications delivered to it.
type subscriber struct {
	mu  sync.Mutex
	got []notification
}

func (s *subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var n notification
	if err := json.NewDecoder(r.Body).Decode(&n); err == nil && n.Type == "Notification" {
		s.mu.Lock()
		s.got = append(s.got, n)
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

// TestRouterPublishesThroughSNS runs the router against goaws, an SNS
// implementation, served in-process: the SDK's query-protocol request must be
// one SNS accepts, and the subject, body and attributes must arrive intact.
func TestRouterPublishesThroughSNS(t *testing.T) {
	logrus.SetOutput(io.Discard) // goaws logs every request through logrus
	goaws.CurrentEnvironment.Region = "us-east-1"
	goaws.CurrentEnvironment.AccountID = "100010001000"
	srv := httptest.NewServer(goawsrouter.New())
	defer srv.Close()
	sub := &subscriber{}
	hook := httptest.NewServer(sub)
	defer hook.Close()

	ctx := context.Background()
	client := snsClient(srv.URL)
	topics := Topics{}
	for _, sev := range []finding.Severity{finding.Critical, finding.High, finding.Medium} {
		out, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ctap-alert-router-test-" + string(sev))})
		require.NoError(t, err)
		topics[sev] = aws.ToString(out.TopicArn)
	}
	// Only the critical and medium tiers are subscribed: a message sent to the
	// wrong tier would never arrive.
	for _, sev := range []finding.Severity{finding.Critical, finding.Medium} {
		_, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topics[sev]), Protocol: aws.String("http"), Endpoint: aws.String(hook.URL)})
		require.NoError(t, err)
	}

	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	mark := &fakeMarker{}
	r := newTestRouter(client, &memSuppressor{window: time.Hour}, mark, &now)
	r.Topics = topics
	crit := findingFor("ct-stop-logging", "111122223333", finding.Critical, 1)
	crit.Title = "CloudTrail logging stopped — org trail"
	med := findingFor("s3-bucket-policy-change", "444455556666", finding.Medium, 2)
	low := findingFor("ec2-describe", "444455556666", finding.Low, 3)
	resp, err := r.Handle(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{insert(t, "1", crit), insert(t, "2", med), insert(t, "3", low)}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Equal(t, []string{crit.FindingID, med.FindingID}, mark.marked)

	sub.mu.Lock()
	defer sub.mu.Unlock()
	require.Len(t, sub.got, 2)
	c := sub.got[0]
	assert.Equal(t, topics[finding.Critical], c.TopicArn)
	assert.Equal(t, "[CRITICAL] CloudTrail logging stopped - org trail - 111122223333", c.Subject)
	assert.True(t, strings.HasPrefix(c.Message, "CRITICAL: CloudTrail logging stopped — org trail\n"))
	assert.Contains(t, c.Message, `"finding_id": "`+crit.FindingID+`"`)
	assert.Equal(t, "critical", c.MessageAttributes["severity"].Value)
	assert.Equal(t, "String", c.MessageAttributes["severity"].Type)
	assert.Equal(t, "ct-stop-logging", c.MessageAttributes["rule_id"].Value)
	assert.Equal(t, "111122223333", c.MessageAttributes["account_id"].Value)
	assert.Equal(t, topics[finding.Medium], sub.got[1].TopicArn)
	assert.Equal(t, "444455556666", sub.got[1].MessageAttributes["account_id"].Value)
}

// TestSNSThrottlingIsRetriedWithBackoff serves SNS's Throttling error twice;
// the router's SNS retryer must retry and the alert must go out once.
func TestSNSThrottlingIsRetriedWithBackoff(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`)
			return
		}
		_, _ = io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></PublishResponse>`)
	}))
	defer srv.Close()

	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	mark := &fakeMarker{}
	r := newTestRouter(snsClient(srv.URL), &memSuppressor{window: time.Hour}, mark, &now)
	f := findingFor("ct-stop-logging", "111122223333", finding.Critical, 1)
	resp, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{insert(t, "1", f)}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Equal(t, int32(3), calls.Load(), "two throttled attempts, then success")
	assert.Equal(t, []string{f.FindingID}, mark.marked)
}
