// Command event-analyzer is the real-time detection function: EventBridge
// CloudTrail events and CloudWatch Logs subscription batches in, findings
// out. It is wiring only; the work is in package analyzer.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/ctap-platform/ctap/lambda/internal/analyzer"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/detect"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func main() {
	cfg, err := analyzer.LoadConfig(config.FromOS())
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("function", "event-analyzer")
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
	a := &analyzer.Analyzer{
		Engine: detect.NewEngine(detect.Catalogue(), detect.Options{Retention: cfg.Findings.Retention}),
		Writer: store.NewDynamoDB(store.NewDynamoDBClient(awsCfg), cfg.Findings.Table),
		Logger: log,
	}
	lambda.Start(a.Handle)
}
