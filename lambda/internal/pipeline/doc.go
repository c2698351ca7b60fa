// Package pipeline holds the offline end-to-end test of the platform's
// pipeline: generated CloudTrail files in a local S3 (gofakes3) go through
// the log-processor handler into findings in a local DynamoDB (dynalite);
// stream records built from those writes go through the alert-router handler
// to a local SNS (goaws). It is the same story as the live integration suite
// (test/integration), without AWS. It has no code of its own outside tests;
// it lives under lambda/ because Go keeps lambda/internal packages to it.
package pipeline
