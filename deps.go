//go:build deps

// Package ctap pins the modules the project builds on, so that `go mod tidy`
// keeps them in go.mod before every package that imports them exists.
package ctap

import (
	_ "github.com/Admiral-Piett/goaws/app"
	_ "github.com/aws/aws-lambda-go/events"
	_ "github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	_ "github.com/aws/aws-sdk-go-v2/service/athena"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	_ "github.com/aws/aws-sdk-go-v2/service/glue"
	_ "github.com/aws/aws-sdk-go-v2/service/kms"
	_ "github.com/aws/aws-sdk-go-v2/service/lambda"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/aws/aws-sdk-go-v2/service/sns"
	_ "github.com/aws/aws-sdk-go-v2/service/sqs"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/gruntwork-io/terratest/modules/terraform"
	_ "github.com/hashicorp/hcl/v2/hclparse"
	_ "github.com/hashicorp/terraform-plugin-go/tfprotov5"
	_ "github.com/johannesboyne/gofakes3"
	_ "github.com/lonegunmanb/terraform-aws-schema/v5/generated"
	_ "github.com/stretchr/testify/require"
	_ "golang.org/x/term"
)
