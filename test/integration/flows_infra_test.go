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
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTrail: the trail logs, validates log files and encrypts with our key.
func testTrail(t *testing.T, p *platform) {
	ctx := flowContext(t, 5*time.Minute)
	status, err := p.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(p.Out.TrailARN)})
	require.NoError(t, err, "cloudtrail:GetTrailStatus")
	assert.True(t, aws.ToBool(status.IsLogging), "trail %s is not logging", p.Out.TrailARN)

	trails, err := p.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{p.Out.TrailARN}})
	require.NoError(t, err, "cloudtrail:DescribeTrails")
	require.Len(t, trails.TrailList, 1)
	trail := trails.TrailList[0]
	assert.True(t, aws.ToBool(trail.LogFileValidationEnabled), "log file validation is off")
	assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(trail.KmsKeyId), "trail is not encrypted with the platform key")
	assert.True(t, aws.ToBool(trail.IsMultiRegionTrail), "trail is not multi-region")
	assert.True(t, strings.HasSuffix(aws.ToString(trail.CloudWatchLogsLogGroupArn), ":*"), "CloudWatch Logs ARN lacks the :* suffix")
}

// testLogLanding: CloudTrail delivers event files (SSE-KMS with our key),
// then digest files.
func testLogLanding(t *testing.T, p *platform) {
	// Digest files are delivered about once an hour, so this flow is the longest.
	ctx := flowContext(t, 80*time.Minute)

	var key string
	eventually(t, ctx, "first CloudTrail object under "+p.Out.CloudTrailLogsPrefix, 20*time.Minute, 30*time.Second, func() error {
		k, err := firstKey(ctx, p.S3, p.Out.LogBucket, p.Out.CloudTrailLogsPrefix, ".json.gz")
		key = k
		return err
	})
	head, err := p.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.Out.LogBucket), Key: aws.String(key)})
	require.NoError(t, err, "s3:HeadObject %s", key)
	assert.Equal(t, s3types.ServerSideEncryptionAwsKms, head.ServerSideEncryption, "s3://%s/%s is not SSE-KMS", p.Out.LogBucket, key)
	assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(head.SSEKMSKeyId), "s3://%s/%s is not encrypted with the platform key", p.Out.LogBucket, key)

	digestPrefix := fmt.Sprintf("AWSLogs/%s/CloudTrail-Digest/", p.AccountID)
	eventually(t, ctx, "first digest file under "+digestPrefix, 75*time.Minute, time.Minute, func() error {
		_, err := firstKey(ctx, p.S3, p.Out.LogBucket, digestPrefix, ".json.gz")
		return err
	})
}

// testSecurity: every bucket is private, TLS-only and versioned; every store
// of data uses the platform key.
func testSecurity(t *testing.T, p *platform) {
	ctx := flowContext(t, 10*time.Minute)
	for _, bucket := range []string{p.Out.LogBucket, p.Out.AccessLogBucket, p.Out.AthenaResultsBucket, p.Out.ReportsBucket} {
		pab, err := p.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		if assert.NoError(t, err, "s3:GetPublicAccessBlock %s", bucket) {
			c := pab.PublicAccessBlockConfiguration
			assert.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.BlockPublicPolicy) &&
				aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.RestrictPublicBuckets), "bucket %s does not block all public access", bucket)
		}
		ver, err := p.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		if assert.NoError(t, err, "s3:GetBucketVersioning %s", bucket) {
			assert.Equal(t, s3types.BucketVersioningStatusEnabled, ver.Status, "bucket %s is not versioned", bucket)
		}
		pol, err := p.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		if assert.NoError(t, err, "s3:GetBucketPolicy %s", bucket) {
			assert.Truef(t, deniesInsecureTransport(aws.ToString(pol.Policy)), "bucket %s policy does not deny aws:SecureTransport=false", bucket)
		}
	}
	for _, bucket := range []string{p.Out.LogBucket, p.Out.AthenaResultsBucket} {
		enc, err := p.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if assert.NoError(t, err, "s3:GetBucketEncryption %s", bucket) && assert.NotEmpty(t, enc.ServerSideEncryptionConfiguration.Rules) {
			def := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
			assert.Equal(t, s3types.ServerSideEncryptionAwsKms, def.SSEAlgorithm, "bucket %s default encryption", bucket)
			assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(def.KMSMasterKeyID), "bucket %s default key", bucket)
		}
	}
	for _, table := range []string{p.Out.FindingsTable, p.Out.AlertStateTable} {
		d, err := p.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if assert.NoError(t, err, "dynamodb:DescribeTable %s", table) && assert.NotNil(t, d.Table.SSEDescription, "table %s has no SSE", table) {
			assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(d.Table.SSEDescription.KMSMasterKeyArn), "table %s key", table)
		}
	}
	for tier, arn := range p.Out.Topics {
		attrs, err := p.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		if assert.NoError(t, err, "sns:GetTopicAttributes %s", tier) {
			assert.True(t, sameKey(p.Out.KMSKeyARN, attrs.Attributes["KmsMasterKeyId"]), "%s topic key is %q", tier, attrs.Attributes["KmsMasterKeyId"])
		}
	}
	for _, url := range []string{p.Out.IngestQueueURL, p.Out.IngestDLQURL} {
		attrs, err := p.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameKmsMasterKeyId},
		})
		if assert.NoError(t, err, "sqs:GetQueueAttributes %s", url) {
			assert.True(t, sameKey(p.Out.KMSKeyARN, attrs.Attributes["KmsMasterKeyId"]), "queue %s key is %q", url, attrs.Attributes["KmsMasterKeyId"])
		}
	}
	groups := []string{p.Out.TrailLogGroup}
	for _, fn := range functionNames {
		groups = append(groups, "/aws/lambda/"+p.Out.Functions[fn])
	}
	for _, name := range groups {
		out, err := p.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		if !assert.NoError(t, err, "logs:DescribeLogGroups %s", name) {
			continue
		}
		found := false
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				found = true
				assert.Equal(t, p.Out.KMSKeyARN, aws.ToString(g.KmsKeyId), "log group %s key", name)
				assert.NotNil(t, g.RetentionInDays, "log group %s keeps logs forever", name)
			}
		}
		assert.True(t, found, "log group %s does not exist", name)
	}
}

// sameKey compares a key ARN with what a service reports, which may be the
// ARN, the key ID or an alias.
func sameKey(keyARN, reported string) bool {
	if reported == "" {
		return false
	}
	return reported == keyARN || strings.HasSuffix(keyARN, "/"+reported) || strings.HasPrefix(reported, "alias/") || strings.Contains(reported, ":alias/")
}

// deniesInsecureTransport reports whether a bucket policy has a Deny
// statement conditioned on aws:SecureTransport = false.
func deniesInsecureTransport(policy string) bool {
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	for _, s := range doc.Statement {
		if s.Effect != "Deny" {
			continue
		}
		if v, ok := s.Condition["Bool"]["aws:SecureTransport"]; ok && fmt.Sprint(v) == "false" {
			return true
		}
	}
	return false
}

// errNotYet marks a retryable miss.
var errNotYet = errors.New("not yet")

// firstKey returns the first key under prefix with the suffix, using the SDK paginator.
func firstKey(ctx context.Context, client *s3.Client, bucket, prefix, suffix string) (string, error) {
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			if strings.HasSuffix(aws.ToString(o.Key), suffix) {
				return aws.ToString(o.Key), nil
			}
		}
	}
	return "", fmt.Errorf("no *%s under s3://%s/%s: %w", suffix, bucket, prefix, errNotYet)
}
