//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/gruntwork-io/terratest/modules/retry"
	"github.com/gruntwork-io/terratest/modules/terraform"
	"github.com/stretchr/testify/require"
)

// platform is what the flows need: the deployment's outputs and one client
// per service, all in the deployment's region.
type platform struct {
	Region    string
	AccountID string
	Out       outputs

	cfg        aws.Config
	CloudTrail *cloudtrail.Client
	S3         *s3.Client
	DynamoDB   *dynamodb.Client
	SNS        *sns.Client
	SQS        *sqs.Client
	Glue       *glue.Client
	Athena     *athena.Client
	Lambda     *lambda.Client
	Logs       *cloudwatchlogs.Client
}

// outputs are the root module's outputs (docs/contracts.md), passed through
// by the example.
type outputs struct {
	KMSKeyARN            string
	TrailARN             string
	LogBucket            string
	AccessLogBucket      string
	AthenaResultsBucket  string
	ReportsBucket        string
	ReportsPrefix        string
	FindingsTable        string
	AlertStateTable      string
	Topics               map[string]string // critical, high, medium
	IngestQueueURL       string
	IngestDLQURL         string
	Functions            map[string]string // hyphenated name -> function name
	GlueDatabase         string
	GlueCrawler          string
	AthenaWorkgroup      string
	NamedQueryIDs        map[string]string
	TrailLogGroup        string
	EnvironmentSuffix    string
	CloudTrailLogsPrefix string // AWSLogs/<account>/CloudTrail/
}

func loadPlatform(t *testing.T, opts *terraform.Options, region string) *platform {
	t.Helper()
	ctx := t.Context()
	out := outputs{
		KMSKeyARN:           terraform.OutputRequiredContext(t, ctx, opts, "kms_key_arn"),
		TrailARN:            terraform.OutputRequiredContext(t, ctx, opts, "trail_arn"),
		LogBucket:           terraform.OutputRequiredContext(t, ctx, opts, "log_bucket_name"),
		AccessLogBucket:     terraform.OutputRequiredContext(t, ctx, opts, "access_log_bucket_name"),
		AthenaResultsBucket: terraform.OutputRequiredContext(t, ctx, opts, "athena_results_bucket_name"),
		ReportsBucket:       terraform.OutputRequiredContext(t, ctx, opts, "reports_bucket_name"),
		ReportsPrefix:       terraform.OutputRequiredContext(t, ctx, opts, "reports_prefix"),
		FindingsTable:       terraform.OutputRequiredContext(t, ctx, opts, "findings_table_name"),
		AlertStateTable:     terraform.OutputRequiredContext(t, ctx, opts, "alert_state_table_name"),
		Topics:              terraform.OutputMapContext(t, ctx, opts, "alert_topic_arns"),
		IngestQueueURL:      terraform.OutputRequiredContext(t, ctx, opts, "ingest_queue_url"),
		IngestDLQURL:        terraform.OutputRequiredContext(t, ctx, opts, "ingest_dlq_url"),
		Functions:           terraform.OutputMapContext(t, ctx, opts, "function_names"),
		GlueDatabase:        terraform.OutputRequiredContext(t, ctx, opts, "glue_database_name"),
		GlueCrawler:         terraform.OutputRequiredContext(t, ctx, opts, "glue_crawler_name"),
		AthenaWorkgroup:     terraform.OutputRequiredContext(t, ctx, opts, "athena_workgroup_name"),
		NamedQueryIDs:       terraform.OutputMapContext(t, ctx, opts, "athena_named_query_ids"),
		TrailLogGroup:       terraform.OutputRequiredContext(t, ctx, opts, "cloudtrail_log_group_name"),
		EnvironmentSuffix:   terraform.OutputRequiredContext(t, ctx, opts, "name_suffix"),
	}
	for _, tier := range []string{"critical", "high", "medium"} {
		require.NotEmptyf(t, out.Topics[tier], "output alert_topic_arns has no %q topic", tier)
	}
	for _, fn := range functionNames {
		require.NotEmptyf(t, out.Functions[fn], "output function_names has no %q", fn)
	}

	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithRetryMaxAttempts(8))
	require.NoError(t, err, "load AWS config")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err, "sts:GetCallerIdentity")

	p := &platform{
		Region:     region,
		AccountID:  aws.ToString(id.Account),
		Out:        out,
		cfg:        cfg,
		CloudTrail: cloudtrail.NewFromConfig(cfg),
		S3:         s3.NewFromConfig(cfg),
		DynamoDB:   dynamodb.NewFromConfig(cfg),
		SNS:        sns.NewFromConfig(cfg),
		SQS:        sqs.NewFromConfig(cfg),
		Glue:       glue.NewFromConfig(cfg),
		Athena:     athena.NewFromConfig(cfg),
		Lambda:     lambda.NewFromConfig(cfg),
		Logs:       cloudwatchlogs.NewFromConfig(cfg),
	}
	p.Out.CloudTrailLogsPrefix = fmt.Sprintf("AWSLogs/%s/CloudTrail/", p.AccountID)
	return p
}

// flowContext gives one flow its own deadline inside the test's.
func flowContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually retries check every interval until it returns nil or the
// deadline passes, for what AWS makes eventually consistent. It fails the
// test with the last error.
func eventually(t *testing.T, ctx context.Context, what string, timeout, interval time.Duration, check func() error) {
	t.Helper()
	retries := int(timeout / interval)
	retry.DoWithRetryContext(t, ctx, what, retries, interval, func() (string, error) {
		if err := ctx.Err(); err != nil {
			return "", retry.FatalError{Underlying: err}
		}
		return "", check()
	})
}

// retryFatal stops eventually at once: the condition cannot recover.
func retryFatal(err error) error { return retry.FatalError{Underlying: err} }

// cleanupContext is for t.Cleanup work, which runs after t.Context() is done.
func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}
