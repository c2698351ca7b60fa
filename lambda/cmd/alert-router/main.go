// Command alert-router consumes the findings table's stream and publishes
// paged findings to the SNS tier topics, one alert per (rule, account) per
// suppression window. It is wiring only; the work is in package alert.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/ctap-platform/ctap/lambda/internal/alert"
	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/store"
)

func main() {
	cfg, err := alert.LoadConfig(config.FromOS())
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).With("function", "alert-router")
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
	ddb := store.NewDynamoDBClient(awsCfg)
	r := &alert.Router{
		Publisher:  sns.NewFromConfig(awsCfg, func(o *sns.Options) { o.Retryer = alert.NewSNSRetryer() }),
		Topics:     cfg.Topics,
		Suppressor: &alert.DynamoDBSuppressor{Client: ddb, Table: cfg.AlertStateTable, Window: cfg.Window},
		Marker:     store.NewDynamoDB(ddb, cfg.FindingsTable),
		Window:     cfg.Window,
		Logger:     log,
	}
	lambda.Start(r.Handle)
}
