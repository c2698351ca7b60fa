#!/usr/bin/env bash
# Terraform checks: fmt, static HCL checks, validate and plan checks.
#
# By default Terraform installs the offline, plan-only stand-in for hashicorp/aws and
# hashicorp/random (test/tfstub) from a filesystem mirror built here, so everything runs
# with no network. On a machine that can reach registry.terraform.io,
#   CTAP_PROVIDER=real scripts/test-unit.sh
# uses the real providers instead. Plan checks that cannot get a provider skip with the
# reason, or fail under CTAP_REQUIRE_PLAN=1 (this script sets it for the stand-in, which
# is always available once built).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "--- terraform fmt -check -recursive terraform"
terraform fmt -check -recursive terraform

mode=${CTAP_PROVIDER:-stub}
case ${mode} in
  stub)
    tools=.tools/tfstub
    mirror=${tools}/mirror
    platform=$(go env GOOS)_$(go env GOARCH)
    echo "--- build the stand-in provider (test/tfstub) into ${tools}"
    mkdir -p "${tools}"
    go build -trimpath -ldflags='-s -w' -o "${tools}/tfstub" ./test/tfstub
    "${tools}/tfstub" --version
    for p in aws:6.99.0 random:3.99.0; do
      name=${p%%:*} version=${p##*:}
      dest=${mirror}/registry.terraform.io/hashicorp/${name}/${version}/${platform}
      mkdir -p "${dest}"
      # Install only when changed: Terraform re-hashes the binary on every init.
      if ! cmp -s "${tools}/tfstub" "${dest}/terraform-provider-${name}_v${version}"; then
        tmpbin=$(mktemp "${dest}/.install-XXXXXX")
        cp "${tools}/tfstub" "${tmpbin}"
        chmod 0755 "${tmpbin}"
        mv "${tmpbin}" "${dest}/terraform-provider-${name}_v${version}"
      fi
    done
    abs_mirror=$(cd "${mirror}" && pwd)
    cat >"${tools}/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "${abs_mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
    CTAP_TF_CLI_CONFIG=$(cd "${tools}" && pwd)/terraformrc
    CTAP_TFSTUB_CACHE_DIR=$(cd "${tools}" && pwd)/schema-cache
    export CTAP_TF_CLI_CONFIG CTAP_TFSTUB_CACHE_DIR
    export CTAP_REQUIRE_PLAN=${CTAP_REQUIRE_PLAN:-1}
    ;;
  real)
    unset CTAP_TF_CLI_CONFIG
    ;;
  *)
    echo "CTAP_PROVIDER=${mode}: want stub or real" >&2
    exit 2
    ;;
esac
export CTAP_PROVIDER=${mode}

echo "--- go test ./test/tfstub/... (the stand-in's own tests)"
go test -count=1 -timeout 10m ./test/tfstub/...

echo "--- go test ./test/unit/... (static checks, schema check, validate, plans; provider: ${mode})"
go test -count=1 -timeout 45m ./test/unit/...
