// Command anomaly-detector runs hourly: Athena baselines per principal and
// account, with each anomaly stored as a finding. It is wiring only; the
// work is in package anomaly.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/ctap-platform/ctap/lambda/internal/anomaly"
	"github.com/ctap-platform/ctap/lambda/internal/athena"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func main() {
	cfg, err := anomaly.LoadConfig(config.FromOS())
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("function", "anomaly-detector")
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
	d := &anomaly.Detector{
		Runner:         &athena.Runner{Client: sdkathena.NewFromConfig(awsCfg), Workgroup: cfg.Workgroup, Database: cfg.Database, Timeout: cfg.QueryTimeout, Logger: log},
		Writer:         store.NewDynamoDB(store.NewDynamoDBClient(awsCfg), cfg.Findings.Table),
		Database:       cfg.Database,
		Table:          cfg.Table,
		Thresholds:     cfg.Thresholds,
		AllowedRegions: cfg.AllowedRegions,
		Retention:      cfg.Findings.Retention,
		Logger:         log,
	}
	lambda.Start(d.Handle)
}
