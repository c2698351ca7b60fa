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

# dynalite (the DynamoDB-compatible server of the component tests) runs on
# Node.js; Debian's nodejs/npm are enough.
if ! command -v npm >/dev/null 2>&1; then
  echo "--- node/npm (not found): installing Debian's nodejs and npm"
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    ${sudo} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "install-deps: npm is required for dynalite; install Node.js >= 18" >&2
    exit 1
  fi
fi
echo "node $(node --version), npm $(npm --version)"
scripts/dynalite.sh install

# GNU time gives `make bench` the replay's peak RSS (ctap also reports its own).
if [[ ! -x /usr/bin/time ]] && command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
fi
