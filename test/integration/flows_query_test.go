//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCrawler: the crawler runs to READY with a successful crawl, creates
// tables, and none of them points at digest or insight files.
func testCrawler(t *testing.T, p *platform) {
	ctx := flowContext(t, 30*time.Minute)
	// The crawler needs at least one event file to find a schema.
	eventually(t, ctx, "an event file to crawl", 20*time.Minute, 30*time.Second, func() error {
		_, err := firstKey(ctx, p.S3, p.Out.LogBucket, p.Out.CloudTrailLogsPrefix, ".json.gz")
		return err
	})
	_, err := p.Glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(p.Out.GlueCrawler)})
	var running *gluetypes.CrawlerRunningException
	if err != nil && !errors.As(err, &running) { // a scheduled run already going is fine
		require.NoError(t, err, "glue:StartCrawler %s", p.Out.GlueCrawler)
	}
	eventually(t, ctx, "crawler "+p.Out.GlueCrawler+" READY after a crawl", 25*time.Minute, 30*time.Second, func() error {
		out, err := p.Glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(p.Out.GlueCrawler)})
		if err != nil {
			return err
		}
		c := out.Crawler
		if c.State != gluetypes.CrawlerStateReady || c.LastCrawl == nil {
			return fmt.Errorf("crawler state %s: %w", c.State, errNotYet)
		}
		if c.LastCrawl.Status != gluetypes.LastCrawlStatusSucceeded {
			// A failed crawl will not fix itself: stop retrying.
			return retryFatal(fmt.Errorf("last crawl %s: %s", c.LastCrawl.Status, aws.ToString(c.LastCrawl.ErrorMessage)))
		}
		return nil
	})

	var locations []string
	pages := glue.NewGetTablesPaginator(p.Glue, &glue.GetTablesInput{DatabaseName: aws.String(p.Out.GlueDatabase)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err, "glue:GetTables %s", p.Out.GlueDatabase)
		for _, tbl := range page.TableList {
			if tbl.StorageDescriptor != nil {
				locations = append(locations, aws.ToString(tbl.StorageDescriptor.Location))
			}
		}
	}
	require.GreaterOrEqual(t, len(locations), 2, "expected the projected cloudtrail table plus a crawled table in %s, got %v", p.Out.GlueDatabase, locations)
	for _, loc := range locations {
		assert.NotContains(t, loc, "CloudTrail-Digest", "a table reads digest files: %s", loc)
		assert.NotContains(t, loc, "CloudTrail-Insight", "a table reads insight files: %s", loc)
	}
}

// testAthena: every named query succeeds in the workgroup with results
// encrypted by our key; a query over the scan cutoff is cancelled.
func testAthena(t *testing.T, p *platform) {
	ctx := flowContext(t, 40*time.Minute)
	// Queries need event files in the table's location.
	eventually(t, ctx, "an event file to query", 20*time.Minute, 30*time.Second, func() error {
		_, err := firstKey(ctx, p.S3, p.Out.LogBucket, p.Out.CloudTrailLogsPrefix, ".json.gz")
		return err
	})
	require.GreaterOrEqual(t, len(p.Out.NamedQueryIDs), 10, "expected at least 10 named queries")
	ids := make([]string, 0, len(p.Out.NamedQueryIDs))
	for _, id := range p.Out.NamedQueryIDs {
		ids = append(ids, id)
	}
	named, err := p.Athena.BatchGetNamedQuery(ctx, &awsathena.BatchGetNamedQueryInput{NamedQueryIds: ids})
	require.NoError(t, err, "athena:BatchGetNamedQuery")
	require.Empty(t, named.UnprocessedNamedQueryIds, "named queries Athena could not return")
	require.Len(t, named.NamedQueries, len(ids))

	for _, q := range named.NamedQueries {
		name := aws.ToString(q.Name)
		assert.Equal(t, p.Out.AthenaWorkgroup, aws.ToString(q.WorkGroup), "named query %s workgroup", name)
		exec := runQuery(t, ctx, p, aws.ToString(q.QueryString))
		if !assert.Equalf(t, athenatypes.QueryExecutionStateSucceeded, exec.Status.State, "named query %s: %s", name, aws.ToString(exec.Status.StateChangeReason)) {
			continue
		}
		rc := exec.ResultConfiguration
		require.NotNil(t, rc, "query %s has no result configuration", name)
		require.NotNil(t, rc.EncryptionConfiguration, "query %s results are not encrypted", name)
		assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(rc.EncryptionConfiguration.KmsKey), "query %s results key", name)
		bucket, key := splitS3URL(aws.ToString(rc.OutputLocation))
		head, err := p.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if assert.NoError(t, err, "head query %s result %s", name, aws.ToString(rc.OutputLocation)) {
			assert.Equal(t, s3types.ServerSideEncryptionAwsKms, head.ServerSideEncryption)
			assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(head.SSEKMSKeyId), "query %s result object key", name)
		}
	}

	// A file bigger than the cutoff, uncompressed (.json) so that Athena must
	// scan all of it and the ingest notification (.json.gz) ignores it. It is
	// dated a week back, outside the compliance queries' one-day window.
	day := time.Now().UTC().AddDate(0, 0, -7)
	big := fmt.Sprintf("%s%s/%s/padding-%d.json", p.Out.CloudTrailLogsPrefix, p.Region, day.Format("2006/01/02"), time.Now().UnixNano())
	_, err = p.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(p.Out.LogBucket), Key: aws.String(big), Body: bytes.NewReader(paddingRecords(scanCutoffBytes + 2*1024*1024))})
	require.NoError(t, err, "upload scan-cutoff padding")
	t.Cleanup(func() {
		ctx, cancel := cleanupContext()
		defer cancel()
		_, _ = p.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.Out.LogBucket), Key: aws.String(big)})
	})
	sql := fmt.Sprintf(`SELECT count(*) FROM cloudtrail WHERE account = '%s' AND region = '%s' AND "date" = '%s' AND useragent LIKE '%%padding%%'`,
		p.AccountID, p.Region, day.Format("2006/01/02"))
	exec := runQuery(t, ctx, p, sql)
	require.NotEqual(t, athenatypes.QueryExecutionStateSucceeded, exec.Status.State, "a query over the workgroup's scan cutoff must not succeed")
	assert.Equal(t, athenatypes.QueryExecutionStateCancelled, exec.Status.State)
	assert.Contains(t, strings.ToLower(aws.ToString(exec.Status.StateChangeReason)), "bytes scanned", "the reason must name the scan limit")
}

// runQuery runs sql in the platform's workgroup and waits for a final state.
// (The functions' own runner lives in lambda/internal/athena, which Go's
// internal-package rule keeps out of this suite.)
func runQuery(t *testing.T, ctx context.Context, p *platform, sql string) *athenatypes.QueryExecution {
	t.Helper()
	start, err := p.Athena.StartQueryExecution(ctx, &awsathena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		WorkGroup:             aws.String(p.Out.AthenaWorkgroup),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String(p.Out.GlueDatabase)},
	})
	require.NoError(t, err, "athena:StartQueryExecution")
	var exec *athenatypes.QueryExecution
	eventually(t, ctx, "query "+aws.ToString(start.QueryExecutionId)+" to finish", 10*time.Minute, 3*time.Second, func() error {
		out, err := p.Athena.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
		if err != nil {
			return err
		}
		exec = out.QueryExecution
		switch exec.Status.State {
		case athenatypes.QueryExecutionStateSucceeded, athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			return nil
		}
		return fmt.Errorf("state %s: %w", exec.Status.State, errNotYet)
	})
	return exec
}

// paddingRecords makes one {"Records":[...]} document of at least n bytes.
func paddingRecords(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	pad := strings.Repeat("x", 4000)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventVersion":"1.08","eventID":"padding-%d","eventName":"Padding","eventSource":"ctap.test","userAgent":"padding %s"}`, i, pad)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func splitS3URL(u string) (bucket, key string) {
	rest := strings.TrimPrefix(u, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key
}

// testFunctions: every function answers its own canned event without a
// function error; the compliance reporter writes both report files.
func testFunctions(t *testing.T, p *platform) {
	ctx := flowContext(t, 20*time.Minute)
	now := time.Now().UTC()
	canned := map[string]any{
		"log-processor": map[string]any{"Records": []any{map[string]any{
			"messageId": "it-test-event", "eventSource": "aws:sqs",
			"body": `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"` + now.Format(time.RFC3339) + `","Bucket":"` + p.Out.LogBucket + `"}`,
		}}},
		"event-analyzer": map[string]any{
			"version": "0", "id": "it-benign", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
			"account": p.AccountID, "time": now.Format(time.RFC3339), "region": p.Region, "resources": []any{},
			"detail": map[string]any{
				"eventVersion": "1.09", "eventTime": now.Format(time.RFC3339), "eventSource": "s3.amazonaws.com",
				"eventName": "ListBuckets", "awsRegion": p.Region, "sourceIPAddress": "192.0.2.10",
				"eventID": "it-benign-" + now.Format("150405"), "readOnly": true, "recipientAccountId": p.AccountID,
				"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::" + p.AccountID + ":user/it", "accountId": p.AccountID},
			},
		},
		"alert-router": map[string]any{"Records": []any{map[string]any{
			"eventID": "it-modify", "eventName": "MODIFY", "eventSource": "aws:dynamodb",
			"dynamodb": map[string]any{"SequenceNumber": "1", "Keys": map[string]any{"finding_id": map[string]any{"S": "it"}}},
		}}},
		"compliance-reporter": scheduledEvent(p, now),
		"anomaly-detector":    scheduledEvent(p, now),
	}
	for _, fn := range functionNames {
		payload, err := json.Marshal(canned[fn])
		require.NoError(t, err)
		out, err := p.Lambda.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String(p.Out.Functions[fn]),
			InvocationType: lambdatypes.InvocationTypeRequestResponse,
			LogType:        lambdatypes.LogTypeTail,
			Payload:        payload,
		})
		if !assert.NoError(t, err, "lambda:Invoke %s", fn) {
			continue
		}
		assert.Emptyf(t, aws.ToString(out.FunctionError), "%s returned a function error: %s", fn, out.Payload)
	}

	prefix := fmt.Sprintf("%s/%s/", strings.TrimSuffix(p.Out.ReportsPrefix, "/"), now.Format("2006/01/02"))
	for _, name := range []string{"report.json", "report.html"} {
		_, err := p.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.Out.ReportsBucket), Key: aws.String(prefix + name)})
		assert.NoError(t, err, "compliance report s3://%s/%s%s", p.Out.ReportsBucket, prefix, name)
	}
}

func scheduledEvent(p *platform, now time.Time) map[string]any {
	return map[string]any{
		"version": "0", "id": "it-schedule", "detail-type": "Scheduled Event", "source": "aws.events",
		"account": p.AccountID, "time": now.Format(time.RFC3339), "region": p.Region,
		"resources": []any{}, "detail": map[string]any{},
	}
}
