#!/usr/bin/env bash
# Pinned versions and locations of the lint and docs tools. Sourced by
# install-tools.sh, lint.sh and docs.sh so that every caller (make, CI,
# pre-commit) runs the same builds. Bump a version here and the next
# install-tools.sh run builds the new one next to the old.

TFLINT_VERSION=v0.64.0
TFLINT_AWS_VERSION=v0.48.0
TRIVY_VERSION=v0.74.0
TERRAFORM_DOCS_VERSION=v0.24.0
ACTIONLINT_VERSION=v1.7.9
# staticcheck 2026.2.2; v0.8 is the first line built for Go 1.26 (go.mod: go 1.26.0).
STATICCHECK_VERSION=v0.8.2

CTAP_ROOT=${CTAP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CTAP_TOOLS_DIR=${CTAP_TOOLS_DIR:-$CTAP_ROOT/.tools}
CTAP_TOOLS_BIN=$CTAP_TOOLS_DIR/bin
# A copy of every build outside the work tree, so that a fresh clone on a reused
# machine (CI clones afresh each run) restores the tools instead of rebuilding
# them. CTAP_TOOLS_CACHE=off disables it.
CTAP_TOOLS_CACHE=${CTAP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctap-tools}
CTAP_TFLINT_PLUGIN_DIR=$CTAP_TOOLS_DIR/tflint-plugins
CTAP_TRIVY_CACHE_DIR=$CTAP_TOOLS_DIR/trivy-cache

TFLINT=$CTAP_TOOLS_BIN/tflint-$TFLINT_VERSION
TRIVY=$CTAP_TOOLS_BIN/trivy-$TRIVY_VERSION
TERRAFORM_DOCS=$CTAP_TOOLS_BIN/terraform-docs-$TERRAFORM_DOCS_VERSION
ACTIONLINT=$CTAP_TOOLS_BIN/actionlint-$ACTIONLINT_VERSION
STATICCHECK=$CTAP_TOOLS_BIN/staticcheck-$STATICCHECK_VERSION

export CTAP_ROOT CTAP_TOOLS_DIR CTAP_TOOLS_BIN CTAP_TOOLS_CACHE CTAP_TFLINT_PLUGIN_DIR CTAP_TRIVY_CACHE_DIR
export TFLINT_VERSION TFLINT_AWS_VERSION TRIVY_VERSION TERRAFORM_DOCS_VERSION ACTIONLINT_VERSION STATICCHECK_VERSION
export TFLINT TRIVY TERRAFORM_DOCS ACTIONLINT STATICCHECK
