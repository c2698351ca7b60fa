package alert

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateTable creates an alert state table on the dynalite server started by
// scripts/test-go.sh, with the key Terraform declares.
func stateTable(t *testing.T) *dynamodb.Client {
	t.Helper()
	endpoint := os.Getenv("CTAP_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Skip("CTAP_DYNAMODB_ENDPOINT is not set: run through scripts/test-go.sh (make test-go), which starts dynalite and exports it")
	}
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	return client
}

func newSuppressor(t *testing.T, client *dynamodb.Client) *DynamoDBSuppressor {
	t.Helper()
	name := fmt.Sprintf("ctap-alert-state-%d", time.Now().UnixNano())
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("suppression_key"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("suppression_key"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	require.NoError(t, err)
	require.NoError(t, dynamodb.NewTableExistsWaiter(client).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second,
		func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay, o.MaxDelay = 50*time.Millisecond, 200*time.Millisecond
		}))
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return &DynamoDBSuppressor{Client: client, Table: name, Window: time.Hour}
}

func TestSuppressorOpensOneWindowAndCountsTheRest(t *testing.T) {
	s := newSuppressor(t, stateTable(t))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	key := Key("iam-root-usage", "111122223333")

	d, err := s.Claim(ctx, key, "f1", t0)
	require.NoError(t, err)
	assert.Equal(t, Decision{Outcome: Send, Suppressed: 0, WindowStart: t0.Unix()}, d)
	for i, want := range []int{1, 2, 3} {
		d, err = s.Claim(ctx, key, fmt.Sprintf("f%d", i+2), t0.Add(time.Duration(i+1)*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, Decision{Outcome: Suppress, Suppressed: want}, d)
	}
	other, err := s.Claim(ctx, Key("iam-root-usage", "999999999999"), "g1", t0)
	require.NoError(t, err)
	assert.Equal(t, Send, other.Outcome, "windows are per (rule, account)")

	d, err = s.Claim(ctx, key, "f1", t0.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, AlreadySent, d.Outcome, "a retried opener is recognised, not counted")

	d, err = s.Claim(ctx, key, "f9", t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, Send, d.Outcome, "the window is over once its length has passed")
	assert.Equal(t, 3, d.Suppressed, "the new alert reports what the old window held back")

	d2, err := s.Claim(ctx, key, "f10", t0.Add(time.Hour+time.Second))
	require.NoError(t, err)
	assert.Equal(t, Decision{Outcome: Suppress, Suppressed: 1}, d2)
}

func TestSuppressorReleaseLetsTheNextFindingAlertAndKeepsTheCount(t *testing.T) {
	s := newSuppressor(t, stateTable(t))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	key := Key("r", "a")
	_, err := s.Claim(ctx, key, "f1", t0)
	require.NoError(t, err)
	_, err = s.Claim(ctx, key, "f2", t0.Add(time.Minute))
	require.NoError(t, err)
	d, err := s.Claim(ctx, key, "f3", t0.Add(2*time.Hour)) // opens; its publish "fails"
	require.NoError(t, err)
	require.Equal(t, Decision{Outcome: Send, Suppressed: 1, WindowStart: t0.Add(2 * time.Hour).Unix()}, d)
	require.NoError(t, s.Release(ctx, key, "f3", d))

	retry, err := s.Claim(ctx, key, "f3", t0.Add(2*time.Hour+time.Minute))
	require.NoError(t, err)
	assert.Equal(t, Send, retry.Outcome, "after a release the retry sends")
	assert.Equal(t, 1, retry.Suppressed, "the count the failed alert would have reported is not lost")

	// A stale release (of a window someone else opened since) changes nothing.
	require.NoError(t, s.Release(ctx, key, "f3", d))
	again, err := s.Claim(ctx, key, "f4", t0.Add(2*time.Hour+2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, Suppress, again.Outcome)
}

// TestSuppressorHoldsAcrossConcurrentInvocations races many claims for the
// same key, as parallel Lambda invocations on different shards would: exactly
// one may send, and every other one must be counted.
func TestSuppressorHoldsAcrossConcurrentInvocations(t *testing.T) {
	s := newSuppressor(t, stateTable(t))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	key := Key("ct-stop-logging", "111122223333")
	const n = 24
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		decisions []Decision
		errs      []error
	)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			d, err := s.Claim(ctx, key, fmt.Sprintf("f%02d", i), t0.Add(time.Duration(i)*time.Millisecond))
			mu.Lock()
			defer mu.Unlock()
			decisions = append(decisions, d)
			errs = append(errs, err)
		}(i)
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	sends, counts := 0, map[int]bool{}
	for _, d := range decisions {
		switch d.Outcome {
		case Send:
			sends++
		case Suppress:
			counts[d.Suppressed] = true
		default:
			t.Fatalf("unexpected outcome %v", d.Outcome)
		}
	}
	assert.Equal(t, 1, sends, "exactly one concurrent claim opens the window")
	for i := 1; i < n; i++ {
		assert.True(t, counts[i], "suppressed counts are 1..%d with none lost or repeated (missing %d)", n-1, i)
	}

	next, err := s.Claim(ctx, key, "later", t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, Decision{Outcome: Send, Suppressed: n - 1, WindowStart: t0.Add(2 * time.Hour).Unix()}, next)
}
