#!/usr/bin/env bash
# Fallback for machines without Terraform: builds hashicorp/terraform v1.11.4 from
# the Go module proxy (the only source reachable here) and links it onto PATH.
#
# Terraform's eight cloud remote-state backends (azurerm, consul, cos, gcs,
# kubernetes, oss, pg, s3) and internal/legacy live in nested Go modules that
# Terraform's go.mod pulls in through `replace ./...` directives; the proxy serves
# the main module without them and has no version of them. So this build wires
# those backends out of internal/backend/init and drops their requirements. The
# result is Terraform v1.11.4 with the local, remote, cloud, http and inmem
# backends: everything the offline tests use (local state). A configuration that
# declares one of the eight backends gets Terraform's own "unsupported backend"
# error. Machines that can download the official release should use it instead.
#
# Usage: scripts/install-terraform.sh
#   TERRAFORM_INSTALL_DIR  where the `terraform` link goes
#                          (default: /usr/local/bin when writable, else ~/.local/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tool-versions.sh
. scripts/tool-versions.sh

version=v1.11.4
out=$CTAP_TOOLS_BIN/terraform-$version
dropped=(azure consul cos gcs kubernetes oss pg s3)

if [[ -x $out ]]; then
  echo "install-terraform: terraform $version cached ($out)"
else
  start=$SECONDS
  mkdir -p "$CTAP_TOOLS_BIN" "$CTAP_TOOLS_DIR/log"
  log=$CTAP_TOOLS_DIR/log/terraform-$version.log
  src=$(mktemp -d "${TMPDIR:-/tmp}/ctap-terraform.XXXXXX")
  trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
  echo "install-terraform: building terraform $version from the Go module proxy (log: $log)"
  # The build runs in a subshell with its own `set -e`, and its status is read
  # afterwards: inside an `||` list bash would ignore `set -e`.
  set +e
  (
    set -euo pipefail
    export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
    # Fetch the release module into the module cache and copy it somewhere writable.
    moddir=$(cd "$src" && go mod download -json "github.com/hashicorp/terraform@$version" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    if [[ -z $moddir || ! -d $moddir ]]; then
      echo "install-terraform: could not download github.com/hashicorp/terraform@$version" >&2
      exit 1
    fi
    cp -R "$moddir/." "$src/terraform"
    chmod -R u+w "$src/terraform"
    cd "$src/terraform"

    # Terraform 1.11 was released with Go 1.23 and `godebug tlskyber=0`; Go 1.26
    # no longer knows that setting (the Kyber draft is gone) and refuses the go.mod.
    sed -i -e '/^godebug tlskyber=/d' go.mod

    init=internal/backend/init/init.go
    for b in "${dropped[@]}"; do
      mod=github.com/hashicorp/terraform/internal/backend/remote-state/$b
      go mod edit -droprequire="$mod" -dropreplace="$mod"
      # Remove the import and the map entry; the backend's name then resolves to
      # Terraform's "unsupported backend type" diagnostic.
      sed -i -e "\|\"$mod\"|d" "$init"
    done
    sed -i -E '/^[[:space:]]*"(azurerm|consul|cos|gcs|kubernetes|oss|pg|s3)":[[:space:]]+func\(\)/d' "$init"
    go mod edit -droprequire=github.com/hashicorp/terraform/internal/legacy \
      -dropreplace=github.com/hashicorp/terraform/internal/legacy
    if grep -nE 'remote-state/(azure|consul|cos|gcs|kubernetes|oss|pg|s3)"|backend(Azure|Consul|Cos|GCS|Kubernetes|OSS|Pg|S3)\.' "$init"; then
      echo "install-terraform: $init still refers to a dropped backend; the patch no longer fits $version" >&2
      exit 1
    fi

    # version.dev=no drops the "-dev" suffix, as the release build does.
    go build -trimpath -ldflags="-s -w -X github.com/hashicorp/terraform/version.dev=no" \
      -o "$out.tmp" .
    mv "$out.tmp" "$out"
  ) >"$log" 2>&1
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "install-terraform: build failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  echo "install-terraform: terraform $version built in $((SECONDS - start))s ($out)"
fi

dest=${TERRAFORM_INSTALL_DIR:-}
if [[ -z $dest ]]; then
  if [[ -w /usr/local/bin ]]; then dest=/usr/local/bin; else dest=$HOME/.local/bin; fi
fi
mkdir -p "$dest"
ln -sf "$out" "$dest/terraform"
echo "install-terraform: $dest/terraform -> $out"
if [[ $(command -v terraform || true) != "$dest/terraform" ]]; then
  echo "install-terraform: note: $dest is not first on PATH; add it to use this build" >&2
fi
"$dest/terraform" version | head -1
