package store_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// throttlingServer answers the first n requests with a DynamoDB throttling
// error and the rest with success, counting requests.
func throttlingServer(t *testing.T, n int32) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if calls.Add(1) <= n {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func throttledStore(srv *httptest.Server) *store.DynamoDB {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	client := store.NewDynamoDBClient(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		// Keep the configured attempts; shorten only the waits so the test is quick.
		o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond)
	})
	return store.NewDynamoDB(client, "findings")
}

func TestDynamoDBPutRetriesThrottling(t *testing.T) {
	tests := []struct {
		name      string
		throttles int32
		wantErr   bool
		wantCalls int32
	}{
		{name: "throttled twice then stored", throttles: 2, wantCalls: 3},
		{name: "throttled on every attempt gives up after MaxAttempts", throttles: 1000, wantErr: true, wantCalls: store.MaxAttempts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := throttlingServer(t, tc.throttles)
			s := throttledStore(srv)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			created, err := s.Put(ctx, sample(1, "111111111111", finding.High))
			if tc.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "ProvisionedThroughputExceeded")
			} else {
				require.NoError(t, err)
				assert.True(t, created)
			}
			assert.Equal(t, tc.wantCalls, calls.Load())
		})
	}
}
