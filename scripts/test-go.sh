#!/usr/bin/env bash
# Go unit, component and offline pipeline tests. Starts the local servers the
# component tests need (dynalite for DynamoDB; S3 and SQS run in-process in the
# tests) and stops them on exit. test/unit is run by scripts/test-unit.sh.
#   CTAP_GO_RACE=0 scripts/test-go.sh   skip the race detector (faster)
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
cleanup() {
  if [[ -f ${tmp}/dynalite.pid ]]; then kill "$(cat "${tmp}/dynalite.pid")" 2>/dev/null || true; fi
  rm -rf "${tmp}"
}
trap cleanup EXIT INT TERM

CTAP_DYNAMODB_ENDPOINT=$(scripts/dynalite.sh start "${tmp}/dynalite.pid")
export CTAP_DYNAMODB_ENDPOINT
echo "--- dynalite at ${CTAP_DYNAMODB_ENDPOINT}"

# Everything but test/unit (Terraform checks) and test/integration (live AWS).
mapfile -t pkgs < <(go list ./... | grep -v -e '/test/unit' -e '/test/integration')

race=()
if [[ ${CTAP_GO_RACE:-1} != 0 ]] && CGO_ENABLED=1 go env CC >/dev/null 2>&1 && command -v "$(go env CC)" >/dev/null 2>&1; then
  race=(-race)
fi
echo "--- go test ${race[*]} (${#pkgs[@]} packages)"
go test "${race[@]}" -count=1 -timeout 15m "${pkgs[@]}"
