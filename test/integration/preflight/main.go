// Command preflight checks, in seconds, that AWS credentials work before the
// integration suite spends time compiling and deploying. It prints who the
// suite would run as, or what to set, and exits non-zero without credentials.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const help = `The integration suite deploys examples/single-account into a sandbox AWS account and
needs credentials for it. Set one of:
  - AWS_PROFILE (a profile in ~/.aws/config, e.g. from 'aws sso login'), or
  - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or
  - AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (GitHub OIDC does this for you),
and AWS_REGION. Use a sandbox account: the suite creates and destroys real resources.`

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := check(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "make test-integration: no usable AWS credentials: %v\n\n%s\n", err, help)
		os.Exit(1)
	}
}

func check(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(2))
	if err != nil {
		return fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // STS answers in any region; the suite picks its own.
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("find credentials: %w", err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	if out.Account == nil {
		return errors.New("sts:GetCallerIdentity returned no account")
	}
	fmt.Printf("integration suite runs as %s in account %s\n", aws.ToString(out.Arn), aws.ToString(out.Account))
	return nil
}
