//go:build integration

package integration

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPipeline: a generated file of planted attacks, uploaded where
// CloudTrail writes, becomes exactly the findings the local engine predicts,
// and one critical alert per (rule, account); uploading it again changes
// nothing and sends nothing.
func testPipeline(t *testing.T, p *platform) {
	ctx := flowContext(t, 30*time.Minute)

	file, path := plantedAttackFile(t)
	expected := expectedFindings(t, path)
	require.NotEmpty(t, expected, "the generated file must trigger findings")
	wantAlerts := map[string]bool{} // rule|account of every critical finding
	for _, f := range expected {
		if f.Severity == "critical" {
			wantAlerts[f.RuleID+"|"+f.AccountID] = true
		}
	}
	require.NotEmpty(t, wantAlerts, "the generated file must trigger critical findings")
	queue := subscribeQueue(t, ctx, p, p.Out.Topics["critical"])

	day := time.Now().UTC()
	keyFor := func(n int) string {
		return fmt.Sprintf("%s%s/%s/%s_CloudTrail_%s_%s_ctapit%d.json.gz", p.Out.CloudTrailLogsPrefix, p.Region,
			day.Format("2006/01/02"), p.AccountID, p.Region, day.Format("20060102T1504Z"), n)
	}
	upload := func(key string) {
		_, err := p.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(p.Out.LogBucket), Key: aws.String(key), Body: bytes.NewReader(file)})
		require.NoError(t, err, "upload s3://%s/%s", p.Out.LogBucket, key)
	}

	upload(keyFor(1))
	detectedAt := map[string]string{}
	eventually(t, ctx, fmt.Sprintf("%d findings in %s", len(expected), p.Out.FindingsTable), 10*time.Minute, 15*time.Second, func() error {
		for id := range expected {
			if _, ok := detectedAt[id]; ok {
				continue
			}
			item, err := p.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
				TableName: aws.String(p.Out.FindingsTable), ConsistentRead: aws.Bool(true),
				Key: map[string]ddbtypes.AttributeValue{"finding_id": &ddbtypes.AttributeValueMemberS{Value: id}},
			})
			if err != nil {
				return err
			}
			if item.Item == nil {
				return fmt.Errorf("finding %s (%s) missing: %w", id, expected[id].RuleID, errNotYet)
			}
			if v, ok := item.Item["detected_at"].(*ddbtypes.AttributeValueMemberS); ok {
				detectedAt[id] = v.Value
			}
		}
		return nil
	})

	alerts := receive(t, ctx, p, queue, 10*time.Minute, func(got []snsEnvelope) bool { return len(alertPairs(got)) >= len(wantAlerts) })
	pairs := alertPairs(alerts)
	for pair := range wantAlerts {
		assert.Equalf(t, 1, pairs[pair], "alerts for %s", pair)
	}
	for _, a := range alerts {
		assert.LessOrEqual(t, len(a.Subject), 100, "subject too long: %q", a.Subject)
		assert.True(t, strings.HasPrefix(a.Subject, "[CRITICAL]"), "subject %q", a.Subject)
		assert.Equal(t, "critical", a.MessageAttributes["severity"].Value)
		assert.NotEmpty(t, a.MessageAttributes["rule_id"].Value)
		assert.NotEmpty(t, a.MessageAttributes["account_id"].Value)
	}

	// The same file again, under another key: processed, but nothing new.
	dup := keyFor(2)
	upload(dup)
	logGroup := "/aws/lambda/" + p.Out.Functions["log-processor"]
	eventually(t, ctx, "log-processor to process the duplicate "+dup, 10*time.Minute, 20*time.Second, func() error {
		out, err := p.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String(logGroup), FilterPattern: aws.String(fmt.Sprintf("%q", filepath.Base(dup))),
			StartTime: aws.Int64(day.Add(-time.Minute).UnixMilli()),
		})
		if err != nil {
			return err
		}
		if len(out.Events) == 0 {
			return fmt.Errorf("no log line for %s yet: %w", dup, errNotYet)
		}
		return nil
	})
	extra := receive(t, ctx, p, queue, 2*time.Minute, nil)
	assert.Empty(t, alertPairs(extra), "the duplicate upload sent alerts")
	for id, at := range detectedAt {
		item, err := p.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(p.Out.FindingsTable), ConsistentRead: aws.Bool(true),
			Key: map[string]ddbtypes.AttributeValue{"finding_id": &ddbtypes.AttributeValueMemberS{Value: id}},
		})
		require.NoError(t, err)
		v, _ := item.Item["detected_at"].(*ddbtypes.AttributeValueMemberS)
		require.NotNil(t, v, "finding %s lost its detected_at", id)
		assert.Equal(t, at, v.Value, "finding %s was written again by the duplicate", id)
	}

	// Nothing failed on the way.
	attrs, err := p.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(p.Out.IngestDLQURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	})
	require.NoError(t, err)
	assert.Equal(t, "0", attrs.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)], "messages in the ingest DLQ")
}

// alertPairs counts alerts by rule|account.
func alertPairs(got []snsEnvelope) map[string]int {
	pairs := map[string]int{}
	for _, a := range got {
		rule, account := a.MessageAttributes["rule_id"].Value, a.MessageAttributes["account_id"].Value
		if rule != "" {
			pairs[rule+"|"+account]++
		}
	}
	return pairs
}

// plantedAttackFile runs `ctap gen` with a fresh seed (so that finding IDs
// are new even on a kept deployment) and joins every generated event file
// into one gzip {"Records":[...]} file: one S3 object is one invocation, so
// aggregate rules see the same events in the cloud as locally. It returns the
// file and the path of a local copy.
func plantedAttackFile(t *testing.T) ([]byte, string) {
	t.Helper()
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	ctap(t, "gen", "--out", logs, "--accounts", "1", "--days", "1", "--scenario", "all", "--seed", fmt.Sprint(time.Now().UnixNano()))

	var files []string
	require.NoError(t, filepath.WalkDir(logs, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(filepath.ToSlash(path), "/CloudTrail/") && strings.HasSuffix(path, ".json.gz") {
			files = append(files, path)
		}
		return err
	}))
	sort.Strings(files)
	require.NotEmpty(t, files, "ctap gen wrote no event files under %s", logs)

	var records []json.RawMessage
	for _, path := range files {
		f, err := os.Open(path)
		require.NoError(t, err)
		gz, err := gzip.NewReader(f)
		require.NoError(t, err, "generated %s is not gzip", path)
		var doc struct{ Records []json.RawMessage }
		require.NoError(t, json.NewDecoder(gz).Decode(&doc), "generated %s is not a CloudTrail file", path)
		records = append(records, doc.Records...)
		require.NoError(t, f.Close())
	}
	body, err := json.Marshal(map[string]any{"Records": records})
	require.NoError(t, err)
	var raw bytes.Buffer
	gz := gzip.NewWriter(&raw)
	_, err = gz.Write(body)
	require.NoError(t, err)
	require.NoError(t, gz.Close())
	path := filepath.Join(dir, "planted.json.gz")
	require.NoError(t, os.WriteFile(path, raw.Bytes(), 0o600))
	t.Logf("planted-attack file: %d records, %d bytes gzipped", len(records), raw.Len())
	return raw.Bytes(), path
}

// expectedFindings replays the file with `ctap replay`, which runs the same
// detection engine as the functions.
func expectedFindings(t *testing.T, path string) map[string]localFinding {
	t.Helper()
	out := ctap(t, "replay", "--format", "ndjson", path)
	want := map[string]localFinding{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var f localFinding
		err := dec.Decode(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "ctap replay --format ndjson printed something that is not a finding")
		want[f.FindingID] = f
	}
	return want
}

// localFinding is the part of a finding (DESIGN §3) the flow compares.
type localFinding struct {
	FindingID string `json:"finding_id"`
	RuleID    string `json:"rule_id"`
	Severity  string `json:"severity"`
	AccountID string `json:"account_id"`
}

// ctap runs the local runner (built once per test binary) and returns its stdout.
func ctap(t *testing.T, args ...string) []byte {
	t.Helper()
	ctapOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ctap-it-bin")
		if err != nil {
			ctapErr = err
			return
		}
		ctapBin = filepath.Join(dir, "ctap")
		build := exec.Command("go", "build", "-o", ctapBin, "./lambda/cmd/ctap")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			ctapErr = fmt.Errorf("build ctap: %w: %s", err, out)
		}
	})
	require.NoError(t, ctapErr)
	cmd := exec.CommandContext(t.Context(), ctapBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ctap %s: %s", strings.Join(args, " "), stderr.String())
	return out
}

var (
	ctapOnce sync.Once
	ctapBin  string
	ctapErr  error
)
