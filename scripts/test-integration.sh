#!/usr/bin/env bash
# Live end-to-end tests against a sandbox AWS account (make test-integration).
#
# Deploys terraform/examples/single-account, validates every flow in parallel,
# then destroys it. Needs AWS credentials for a sandbox account; without them
# it fails in seconds and says what to set. Writes a JUnit report to
# out/junit-integration.xml for the nightly workflow.
#
# Environment:
#   CTAP_TEST_REGIONS   comma-separated regions to pick from (default: a stable set)
#   CTAP_IT_TIMEOUT     go test timeout (default 150m)
#   SKIP_deploy / SKIP_validate / SKIP_teardown   terratest stages to skip
set -euo pipefail
cd "$(dirname "$0")/.."

have_creds=false
for v in AWS_ACCESS_KEY_ID AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; do
  [[ -n "${!v:-}" ]] && have_creds=true
done
[[ -f "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" || -f "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]] && have_creds=true
if [[ "$have_creds" != true ]]; then
  cat >&2 <<'MSG'
make test-integration: no AWS credentials found.
The integration suite deploys examples/single-account into a sandbox AWS account. Set one of:
  - AWS_PROFILE (a profile in ~/.aws/config, e.g. after 'aws sso login'), or
  - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or
  - AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (GitHub OIDC does this),
and AWS_REGION. Use a sandbox account: the suite creates and destroys real resources.
MSG
  exit 1
fi

# Credentials are present: prove they work (sts:GetCallerIdentity) before building anything big.
go run ./test/integration/preflight

make build
mkdir -p out
gotestsum_version=v1.13.0
gotestsum=.tools/bin/gotestsum-${gotestsum_version}
if [[ ! -x "$gotestsum" ]]; then
  echo "--- building gotestsum ${gotestsum_version} into .tools/"
  scratch=$(mktemp -d)
  (cd "$scratch" && go mod init scratch >/dev/null 2>&1 && go get "gotest.tools/gotestsum@${gotestsum_version}" >/dev/null 2>&1 && go build -o gotestsum gotest.tools/gotestsum)
  mkdir -p .tools/bin && mv "$scratch/gotestsum" "$gotestsum" && rm -rf "$scratch"
fi
exec "$gotestsum" --format testname --junitfile out/junit-integration.xml -- \
  -tags integration -count=1 -timeout "${CTAP_IT_TIMEOUT:-150m}" -v ./test/integration/...
