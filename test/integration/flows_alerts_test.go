//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snsEnvelope is what SNS delivers to an SQS subscriber without raw delivery.
type snsEnvelope struct {
	Type              string
	MessageID         string `json:"MessageId"`
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

// subscribeQueue makes a temporary SQS queue subscribed to the topics and
// returns its URL. The queue and subscriptions are removed after the test,
// whether it passed or not.
func subscribeQueue(t *testing.T, ctx context.Context, p *platform, topicARNs ...string) string {
	t.Helper()
	name := "ctap-it-" + strings.ToLower(random.UniqueID())
	created, err := p.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err, "sqs:CreateQueue %s", name)
	url := aws.ToString(created.QueueUrl)
	t.Cleanup(func() {
		ctx, cancel := cleanupContext()
		defer cancel()
		_, err := p.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
		assert.NoError(t, err, "delete temporary queue %s", url)
	})
	attrs, err := p.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	require.NoError(t, err)
	queueARN := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]

	policy, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "AllowPlatformTopics", "Effect": "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage", "Resource": queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARNs}},
		}},
	})
	require.NoError(t, err)
	_, err = p.SQS.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(url), Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): string(policy)},
	})
	require.NoError(t, err, "sqs:SetQueueAttributes policy")

	for _, topic := range topicARNs {
		sub, err := p.SNS.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN), ReturnSubscriptionArn: true,
		})
		require.NoError(t, err, "sns:Subscribe %s", topic)
		subARN := aws.ToString(sub.SubscriptionArn)
		t.Cleanup(func() {
			ctx, cancel := cleanupContext()
			defer cancel()
			_, err := p.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(subARN)})
			assert.NoError(t, err, "remove temporary subscription %s", subARN)
		})
	}
	// Policies and subscriptions take a moment to apply.
	time.Sleep(15 * time.Second)
	return url
}

// receive drains the queue for up to d, returning the SNS envelopes that arrived.
func receive(t *testing.T, ctx context.Context, p *platform, url string, d time.Duration, done func([]snsEnvelope) bool) []snsEnvelope {
	t.Helper()
	var got []snsEnvelope
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		out, err := p.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 10,
		})
		require.NoError(t, err, "sqs:ReceiveMessage")
		for _, m := range out.Messages {
			var env snsEnvelope
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &env), "not an SNS envelope: %s", aws.ToString(m.Body))
			got = append(got, env)
			_, err := p.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		if done != nil && done(got) {
			break
		}
	}
	return got
}

// testSNS: each tier delivers to a subscriber with its attributes, and a
// publish over plain HTTP is denied by the topic policy.
func testSNS(t *testing.T, p *platform) {
	ctx := flowContext(t, 10*time.Minute)
	tiers := []string{"critical", "high", "medium"}
	var arns []string
	for _, tier := range tiers {
		arns = append(arns, p.Out.Topics[tier])
	}
	url := subscribeQueue(t, ctx, p, arns...)
	marker := "ctap-it-" + random.UniqueID()
	for _, tier := range tiers {
		_, err := p.SNS.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(p.Out.Topics[tier]), Subject: aws.String("[TEST] " + tier + " tier reachable"),
			Message: aws.String(marker),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"severity": {DataType: aws.String("String"), StringValue: aws.String(tier)},
			},
		})
		require.NoError(t, err, "sns:Publish to the %s tier", tier)
	}
	got := receive(t, ctx, p, url, 3*time.Minute, func(got []snsEnvelope) bool { return len(got) >= len(tiers) })
	seen := map[string]bool{}
	for _, env := range got {
		if env.Message == marker {
			seen[env.MessageAttributes["severity"].Value] = true
		}
	}
	for _, tier := range tiers {
		assert.True(t, seen[tier], "no message from the %s tier reached its subscriber", tier)
	}

	// The same publish over plain HTTP must be refused by the topic policy.
	insecure := sns.NewFromConfig(p.cfg, func(o *sns.Options) {
		o.BaseEndpoint = aws.String(fmt.Sprintf("http://sns.%s.amazonaws.com", p.Region))
		o.RetryMaxAttempts = 1
	})
	_, err := insecure.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(p.Out.Topics["medium"]), Message: aws.String("over plain HTTP")})
	require.Error(t, err, "a publish without TLS must be denied")
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "expected an API error, got %v", err)
	assert.Equal(t, "AuthorizationError", apiErr.ErrorCode(), "non-TLS publish: %v", err)
}
