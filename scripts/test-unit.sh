#!/usr/bin/env bash
# Terraform checks: fmt, static HCL checks, validate and plan checks.
set -euo pipefail
cd "$(dirname "$0")/.."
terraform fmt -check -recursive terraform
