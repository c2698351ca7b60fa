// Package storetest gives tests a DynamoDB-compatible endpoint (dynalite,
// started by scripts/test-go.sh) and a fresh findings table per test, with the
// same keys and GSIs that Terraform declares (minus TTL and the stream, which
// dynalite does not implement).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ctap-platform/ctap/lambda/internal/store"
)

// EndpointEnv names the variable that holds the local DynamoDB endpoint.
const EndpointEnv = "CTAP_DYNAMODB_ENDPOINT"

// SkipReason is the message tests skip with when EndpointEnv is unset.
const SkipReason = EndpointEnv + " not set: run via make test-go, which starts dynalite"

// Client returns a DynamoDB client for the local endpoint, built like the
// functions' client (same retryer), or skips the test when there is none.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	endpoint := os.Getenv(EndpointEnv)
	if endpoint == "" {
		t.Skip(SkipReason)
	}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	return store.NewDynamoDBClient(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// NewTable creates a uniquely named findings table, waits until it is
// active, and deletes it when the test ends.
func NewTable(t testing.TB, client *dynamodb.Client) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "findings-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if len(name) > 200 {
		name = name[:200]
	}
	name += "-" + hex.EncodeToString(b[:])
	name = sanitize(name)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gsi := func(index, pk string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{
			IndexName: aws.String(index),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(store.AttrDetectedAt), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(store.AttrFindingID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(store.AttrAccountID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(store.AttrSeverity), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(store.AttrDetectedAt), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(store.AttrFindingID), KeyType: types.KeyTypeHash},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			gsi(store.IndexByAccount, store.AttrAccountID),
			gsi(store.IndexBySeverity, store.AttrSeverity),
		},
	})
	if err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.MaxDelay = 500 * time.Millisecond
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 20*time.Second); err != nil {
		t.Fatalf("wait for table %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

// sanitize keeps the characters DynamoDB allows in table names.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
