// Command log-processor is the Lambda function behind the ingest queue: SQS
// batches of S3 notifications for new CloudTrail files in, findings out.
// It is wiring only; the work is in package ingest.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/ingest"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func main() {
	env := config.FromOS()
	level := env.LogLevel()
	findings := env.Findings()
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})).With("function", "log-processor")
	if err := env.Err(); err != nil {
		log.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("cold start failed: load AWS configuration", "error", err.Error())
		os.Exit(1)
	}

	engine := detect.NewEngine(detect.Catalogue(), detect.Options{Retention: findings.Retention})
	db := store.NewDynamoDB(store.NewDynamoDBClient(cfg), findings.Table)
	h := ingest.New(s3.NewFromConfig(cfg), db, engine, log)
	lambda.Start(h.Handle)
}
