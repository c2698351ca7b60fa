package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goaws "github.com/Admiral-Piett/goaws/app"
	goawsrouter "github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/alert"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/ingest"
	"github.com/ctap-platform/ctap/lambda/internal/store"
	"github.com/ctap-platform/ctap/lambda/internal/store/storetest"
)

const bucket = "ctap-trail-logs"

// TestPipelineOffline runs generated logs through the two handlers that
// carry a finding from an S3 object to an SNS alert, against local servers,
// then delivers everything a second time and checks that nothing changes.
func TestPipelineOffline(t *testing.T) {
	ctx := t.Context()
	ddb := storetest.Client(t) // skips with the reason when dynalite is not running
	findingsTable := storetest.NewTable(t, ddb)
	stateTable := newStateTable(t, ddb)
	findings := &recordingWriter{Writer: store.NewDynamoDB(ddb, findingsTable)}

	// Generated logs, uploaded where CloudTrail writes them.
	logs := t.TempDir()
	res, err := gen.Generate(gen.Options{Out: logs, Accounts: 2, Days: 1, Scenario: "all", Seed: 7})
	require.NoError(t, err)
	s3c, keys := localS3(t, logs)
	require.NotEmpty(t, keys)

	processor := ingest.New(s3c, findings, detect.NewEngine(detect.Catalogue(), detect.Options{}), quietLogger())
	sqsBatch := notifications(keys)

	resp, err := processor.Handle(ctx, sqsBatch)
	require.NoError(t, err)
	require.Empty(t, resp.BatchItemFailures, "no generated file may fail")

	created := findings.takeCreated()
	require.NotEmpty(t, created)
	// Every planted rule fired: the generator planted its positive example.
	fired := map[string]bool{}
	for _, f := range created {
		fired[f.RuleID] = true
	}
	for _, rule := range res.PlantedRules {
		assert.Truef(t, fired[rule], "planted rule %s produced no finding", rule)
	}
	// What the pipeline stored is exactly what it reported as new.
	assert.Equal(t, len(created), countItems(t, ddb, findingsTable), "items in the findings table")

	// The stream carries one INSERT per new item, with the stored item as NEW_IMAGE.
	stream := streamRecords(t, ddb, findingsTable, created)
	snsSrv, topics, inbox := localSNS(t)
	router := &alert.Router{
		Publisher:  snsSrv,
		Topics:     topics,
		Suppressor: &alert.DynamoDBSuppressor{Client: ddb, Table: stateTable, Window: time.Hour},
		Marker:     store.NewDynamoDB(ddb, findingsTable),
		Window:     time.Hour,
		Logger:     quietLogger(),
	}
	routed, err := router.Handle(ctx, events.DynamoDBEvent{Records: stream})
	require.NoError(t, err)
	require.Empty(t, routed.BatchItemFailures)

	// One alert per paged (rule, account), on the tier of its severity; none for low and info.
	want := map[string]finding.Severity{}
	for _, f := range created {
		if f.Severity.Paged() {
			want[f.RuleID+"|"+f.AccountID] = f.Severity
		}
	}
	got := inbox.wait(t, len(want))
	t.Logf("%d files, %d records, %d findings, %d paged (rule, account) pairs, %d alerts", len(keys), res.Records, len(created), len(want), len(got))
	perPair := map[string]int{}
	for _, n := range got {
		pair := n.MessageAttributes["rule_id"].Value + "|" + n.MessageAttributes["account_id"].Value
		perPair[pair]++
		sev := finding.Severity(n.MessageAttributes["severity"].Value)
		assert.Equalf(t, want[pair], sev, "alert %s severity attribute", pair)
		assert.Equalf(t, topics[sev], n.TopicArn, "alert %s went to the wrong tier", pair)
		assert.LessOrEqual(t, len(n.Subject), 100, "subject %q", n.Subject)
		assert.True(t, strings.HasPrefix(n.Subject, "["+strings.ToUpper(string(sev))+"]"), "subject %q", n.Subject)
		head, body, ok := strings.Cut(n.Message, "\n{")
		require.Truef(t, ok, "message has no finding JSON after the summary: %q", n.Message)
		assert.NotEmpty(t, strings.TrimSpace(head), "message starts with a human summary")
		var f finding.Finding
		require.NoError(t, json.Unmarshal([]byte("{"+body), &f), "finding JSON in the message")
		assert.Equal(t, n.MessageAttributes["rule_id"].Value, f.RuleID)
	}
	for pair := range want {
		assert.Equalf(t, 1, perPair[pair], "alerts for %s", pair)
	}
	assert.Len(t, perPair, len(want), "alerts for pairs that should not page")
	for _, f := range created {
		item := getItem(t, ddb, findingsTable, f.FindingID)
		_, alerted := item["alerted_at"]
		// Suppressed findings are stored but not marked; at least the one alerted per pair is.
		if !f.Severity.Paged() {
			assert.Falsef(t, alerted, "finding %s (%s) was marked alerted", f.FindingID, f.Severity)
		}
	}

	// Second delivery of the same files: no new findings, so no stream records.
	resp, err = processor.Handle(ctx, sqsBatch)
	require.NoError(t, err)
	require.Empty(t, resp.BatchItemFailures)
	assert.Empty(t, findings.takeCreated(), "the duplicate delivery created findings")
	assert.Equal(t, len(created), countItems(t, ddb, findingsTable), "items after the duplicate delivery")
	// And a redelivered stream batch (Lambda retries) pages nobody again.
	routed, err = router.Handle(ctx, events.DynamoDBEvent{Records: stream})
	require.NoError(t, err)
	require.Empty(t, routed.BatchItemFailures)
	time.Sleep(200 * time.Millisecond) // goaws delivers to subscribers asynchronously
	assert.Len(t, inbox.all(), len(got), "the redelivered stream batch sent alerts")
}

// recordingWriter passes writes to the store and keeps the findings it
// created, as a DynamoDB stream would carry them.
type recordingWriter struct {
	store.Writer
	mu      sync.Mutex
	created []finding.Finding
}

func (w *recordingWriter) Put(ctx context.Context, f finding.Finding) (bool, error) {
	created, err := w.Writer.Put(ctx, f)
	if created && err == nil {
		w.mu.Lock()
		w.created = append(w.created, f)
		w.mu.Unlock()
	}
	return created, err
}

func (w *recordingWriter) takeCreated() []finding.Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.created
	w.created = nil
	store.Sort(out)
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// localS3 serves the generated tree from gofakes3 and returns a real SDK
// client and the uploaded keys (event files and digests alike: the processor
// must skip digests itself).
func localS3(t *testing.T, dir string) (*s3.Client, []string) {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, backend.CreateBucket(bucket))
	var keys []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		keys = append(keys, key)
		_, err = backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil)
		return err
	}))
	sort.Strings(keys)
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
	})
	return client, keys
}

// notifications is the SQS batch S3 would send: one message per object,
// the body an S3 event notification with the key URL-encoded as S3 does.
func notifications(keys []string) events.SQSEvent {
	var batch events.SQSEvent
	for i, key := range keys {
		body, _ := json.Marshal(events.S3Event{Records: []events.S3EventRecord{{
			EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "us-east-1", EventName: "ObjectCreated:Put",
			S3: events.S3Entity{
				Bucket: events.S3Bucket{Name: bucket, Arn: "arn:aws:s3:::" + bucket},
				Object: events.S3Object{Key: strings.ReplaceAll(key, ":", "%3A")},
			},
		}}})
		batch.Records = append(batch.Records, events.SQSMessage{MessageId: fmt.Sprintf("msg-%04d", i), Body: string(body), EventSource: "aws:sqs"})
	}
	return batch
}

// newStateTable creates the alert-router's suppression table as Terraform
// declares it (hash key suppression_key).
func newStateTable(t *testing.T, client *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("alert-state-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("suppression_key"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("suppression_key"), KeyType: ddbtypes.KeyTypeHash}},
	})
	require.NoError(t, err)
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 500*time.Millisecond
	})
	require.NoError(t, waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 20*time.Second))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

func countItems(t *testing.T, client *dynamodb.Client, table string) int {
	t.Helper()
	n := 0
	pages := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), Select: ddbtypes.SelectCount})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		require.NoError(t, err)
		n += int(page.Count)
	}
	return n
}

func getItem(t *testing.T, client *dynamodb.Client, table, id string) map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"finding_id": &ddbtypes.AttributeValueMemberS{Value: id}},
	})
	require.NoError(t, err)
	require.NotNil(t, out.Item, "finding %s is not in %s", id, table)
	return out.Item
}

// streamRecords builds the INSERT records a NEW_IMAGE stream delivers for
// the created findings, from the items as stored.
func streamRecords(t *testing.T, client *dynamodb.Client, table string, created []finding.Finding) []events.DynamoDBEventRecord {
	t.Helper()
	var recs []events.DynamoDBEventRecord
	for i, f := range created {
		item := getItem(t, client, table, f.FindingID)
		image := make(map[string]events.DynamoDBAttributeValue, len(item))
		for k, v := range item {
			image[k] = streamValue(t, v)
		}
		recs = append(recs, events.DynamoDBEventRecord{
			EventID: fmt.Sprintf("stream-%d", i), EventName: "INSERT", EventSource: "aws:dynamodb",
			Change: events.DynamoDBStreamRecord{
				SequenceNumber: fmt.Sprintf("%021d", i+1),
				Keys:           map[string]events.DynamoDBAttributeValue{"finding_id": events.NewStringAttribute(f.FindingID)},
				NewImage:       image,
				StreamViewType: "NEW_IMAGE",
			},
		})
	}
	return recs
}

func streamValue(t *testing.T, v ddbtypes.AttributeValue) events.DynamoDBAttributeValue {
	t.Helper()
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *ddbtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *ddbtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *ddbtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *ddbtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *ddbtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *ddbtypes.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			list[i] = streamValue(t, e)
		}
		return events.NewListAttribute(list)
	case *ddbtypes.AttributeValueMemberM:
		m := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, e := range v.Value {
			m[k] = streamValue(t, e)
		}
		return events.NewMapAttribute(m)
	}
	t.Fatalf("attribute type %T has no stream form in this test", v)
	return events.DynamoDBAttributeValue{}
}

// notification is what goaws POSTs to an HTTP subscriber.
type notification struct {
	Type              string
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

type inbox struct {
	mu  sync.Mutex
	got []notification
}

func (b *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var n notification
	if err := json.NewDecoder(r.Body).Decode(&n); err == nil && n.Type == "Notification" {
		b.mu.Lock()
		b.got = append(b.got, n)
		b.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

func (b *inbox) all() []notification {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]notification(nil), b.got...)
}

// wait returns the notifications once n have arrived, or what arrived in 10 s.
func (b *inbox) wait(t *testing.T, n int) []notification {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := b.all(); len(got) >= n {
			time.Sleep(200 * time.Millisecond) // let stragglers (extra alerts) arrive too
			return b.all()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return b.all()
}

// localSNS starts goaws in-process with the three tier topics, each with an
// HTTP subscriber that records what it receives.
func localSNS(t *testing.T) (*sns.Client, alert.Topics, *inbox) {
	t.Helper()
	logrus.SetOutput(io.Discard) // goaws logs every request through logrus
	goaws.CurrentEnvironment.Region = "us-east-1"
	goaws.CurrentEnvironment.AccountID = "100010001000"
	srv := httptest.NewServer(goawsrouter.New())
	t.Cleanup(srv.Close)
	box := &inbox{}
	hook := httptest.NewServer(box)
	t.Cleanup(hook.Close)

	client := sns.New(sns.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      alert.NewSNSRetryer(),
	})
	topics := alert.Topics{}
	for _, sev := range []finding.Severity{finding.Critical, finding.High, finding.Medium} {
		out, err := client.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String(fmt.Sprintf("ctap-pipeline-%s-%d", sev, time.Now().UnixNano()))})
		require.NoError(t, err)
		topics[sev] = aws.ToString(out.TopicArn)
		_, err = client.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(hook.URL)})
		require.NoError(t, err)
	}
	return client, topics, box
}
