#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine: Go modules, Terraform,
# and the local test servers' packages. Idempotent: skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "--- go modules"
go mod download

if ! command -v terraform >/dev/null 2>&1; then
  echo "--- terraform (not found): building v1.11.4 from the Go module proxy"
  scripts/install-terraform.sh
fi
terraform version | head -1
