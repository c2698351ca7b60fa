// Command compliance-reporter is the daily compliance report: the named
// Athena queries, trail health and findings by severity, written to S3 as
// JSON and HTML with a summary to SNS. It is wiring only; the work is in
// package report.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/ctap-platform/ctap/lambda/internal/alert"
	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/report"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func main() {
	cfg, err := report.LoadComplianceConfig(config.FromOS())
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("function", "compliance-reporter")
	if err != nil {
		log.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("cold start failed: load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	athenaClient := sdkathena.NewFromConfig(awsCfg)
	r := &report.Reporter{
		Config:     cfg,
		Runner:     &athena.Runner{Client: athenaClient, Workgroup: cfg.Workgroup, Database: cfg.Database, Timeout: cfg.QueryTimeout, Logger: log},
		NamedQuery: athenaClient,
		Trail:      cloudtrail.NewFromConfig(awsCfg),
		Findings:   store.NewDynamoDB(store.NewDynamoDBClient(awsCfg), cfg.FindingsTable),
		Objects:    s3.NewFromConfig(awsCfg),
		Publisher:  sns.NewFromConfig(awsCfg, func(o *sns.Options) { o.Retryer = alert.NewSNSRetryer() }),
		Logger:     log,
	}
	lambda.Start(r.Handle)
}
