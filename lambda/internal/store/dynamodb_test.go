package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
	"github.com/ctap-platform/ctap/lambda/internal/store/storetest"
)

func newDynamo(t *testing.T) (*store.DynamoDB, *dynamodb.Client) {
	client := storetest.Client(t)
	return store.NewDynamoDB(client, storetest.NewTable(t, client)), client
}

func TestDynamoDBConditionalPutReportsDuplicateAsSuccess(t *testing.T) {
	s, client := newDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	f := sample(1, "111111111111", finding.Critical)
	created, err := s.Put(ctx, f)
	require.NoError(t, err)
	assert.True(t, created)

	changed := f
	changed.Summary = "second delivery"
	created, err = s.Put(ctx, changed)
	require.NoError(t, err, "a duplicate is success")
	assert.False(t, created)

	got, ok, err := s.Get(ctx, f.FindingID)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, f, got, "the first write is kept, evidence included")

	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table()),
		Key:       map[string]types.AttributeValue{"finding_id": &types.AttributeValueMemberS{Value: f.FindingID}},
	})
	require.NoError(t, err)
	assert.IsType(t, &types.AttributeValueMemberS{}, out.Item["evidence"], "evidence is stored as a string")
	assert.IsType(t, &types.AttributeValueMemberN{}, out.Item["expires_at"], "TTL attribute is a number")
}

func TestDynamoDBQueriesUseTheGSIsNewestFirst(t *testing.T) {
	s, _ := newDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for i, acct := range []string{"111111111111", "222222222222", "111111111111", "111111111111"} {
		sev := finding.High
		if i == 3 {
			sev = finding.Critical
		}
		_, err := s.Put(ctx, sample(i*10, acct, sev))
		require.NoError(t, err)
	}
	got, err := s.QueryByAccount(ctx, "111111111111", base.Add(5*time.Minute))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "evt-0030", got[0].EventID)
	assert.Equal(t, "evt-0020", got[1].EventID)

	high, err := s.QueryBySeverity(ctx, finding.High, base)
	require.NoError(t, err)
	assert.Len(t, high, 3)

	counts, err := s.CountBySeverity(ctx, base.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, map[finding.Severity]int{finding.Critical: 1, finding.High: 2, finding.Medium: 0, finding.Low: 0, finding.Info: 0}, counts)
}

func TestDynamoDBQueryPaginatesPastOnePage(t *testing.T) {
	s, _ := newDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Each item carries ~20 KB of evidence so that 80 items exceed the 1 MB
	// page limit and the paginator must follow LastEvaluatedKey.
	pad := make([]byte, 20*1024)
	for i := range pad {
		pad[i] = 'x'
	}
	for i := 0; i < 80; i++ {
		f := sample(i, "333333333333", finding.Medium)
		f.Evidence = []byte(`{"pad":"` + string(pad) + `"}`)
		_, err := s.Put(ctx, f)
		require.NoError(t, err)
	}
	got, err := s.QueryByAccount(ctx, "333333333333", base)
	require.NoError(t, err)
	assert.Len(t, got, 80)
	counts, err := s.CountBySeverity(ctx, base)
	require.NoError(t, err)
	assert.Equal(t, 80, counts[finding.Medium])
}

func TestDynamoDBConcurrentDuplicatePutsCreateOnce(t *testing.T) {
	s, _ := newDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var created atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				ok, err := s.Put(ctx, sample(i, "444444444444", finding.Low))
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					created.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(10), created.Load(), "each of 10 IDs is created exactly once across 8 writers")
}

func TestDynamoDBMarkAlertedSetsAttributeOnExistingFindingOnly(t *testing.T) {
	s, client := newDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := sample(1, "111111111111", finding.High)
	_, err := s.Put(ctx, f)
	require.NoError(t, err)
	require.NoError(t, s.MarkAlerted(ctx, f.FindingID, base))

	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table()),
		Key:       map[string]types.AttributeValue{"finding_id": &types.AttributeValueMemberS{Value: f.FindingID}},
	})
	require.NoError(t, err)
	assert.Equal(t, &types.AttributeValueMemberS{Value: "2026-03-01T12:00:00Z"}, out.Item["alerted_at"])

	err = s.MarkAlerted(ctx, "no-such-finding", base)
	var ccf *types.ConditionalCheckFailedException
	assert.True(t, errors.As(err, &ccf), "unknown finding: %v", err)
}

func TestDynamoDBPutFailureNamesTheTable(t *testing.T) {
	client := storetest.Client(t)
	s := store.NewDynamoDB(client, "no-such-table")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := s.Put(ctx, sample(1, "111111111111", finding.High))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-table")
	var rnf *types.ResourceNotFoundException
	assert.True(t, errors.As(err, &rnf), "callers can tell a missing table apart: %v", err)
}
