#!/usr/bin/env bash
# Go unit, component and pipeline tests. Starts the local servers they need.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./...
