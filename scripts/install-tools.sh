#!/usr/bin/env bash
# Installs the pinned lint and docs tools under .tools/ (ignored by git).
#
# Every Go tool is built from the Go module proxy at an exact tag, in a scratch
# module of its own: the proxy refuses version lists for some modules, and a
# scratch module keeps each tool's dependency graph out of the project's go.mod.
# A tool is built only when .tools/bin/<tool>-<version> is missing, and is then
# restored from the machine cache ($CTAP_TOOLS_CACHE, outside the work tree) when
# an earlier clone built it: a reused machine pays for the builds once.
# The ShellCheck binary comes from Debian's packages.
#
# Usage: scripts/install-tools.sh [tool ...]   (default: every tool)
# Prints one line per tool: "cached", "restored", "built in Ns" or "installed".
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tool-versions.sh
. scripts/tool-versions.sh

# In build order: small tools first so that a failure shows early, trivy (by far
# the largest) last.
CTAP_ALL_TOOLS=(shellcheck actionlint staticcheck terraform-docs tflint tflint-ruleset-aws trivy)

mkdir -p "$CTAP_TOOLS_BIN" "$CTAP_TOOLS_DIR/src" "$CTAP_TOOLS_DIR/log"

# build_go NAME VERSION MODULE PACKAGE [ENV=VALUE ...]
# Builds PACKAGE (inside MODULE@VERSION) into $CTAP_TOOLS_BIN/NAME-VERSION.
build_go() {
  local name=$1 version=$2 module=$3 pkg=$4
  shift 4
  local out="$CTAP_TOOLS_BIN/$name-$version"
  if [[ -x "$out" ]]; then
    echo "install-tools: $name $version cached ($out)"
    return 0
  fi
  local saved=""
  if [[ $CTAP_TOOLS_CACHE != off ]]; then saved="$CTAP_TOOLS_CACHE/$name-$version"; fi
  if [[ -n $saved && -x $saved ]] && cp "$saved" "$out.tmp" && mv "$out.tmp" "$out"; then
    echo "install-tools: $name $version restored from the machine cache ($saved)"
    return 0
  fi
  local src="$CTAP_TOOLS_DIR/src/$name-$version"
  local log="$CTAP_TOOLS_DIR/log/$name-$version.log"
  local start=$SECONDS
  rm -rf "$src" && mkdir -p "$src" || return 1
  echo "install-tools: building $name $version from $module@$version (log: $log)"
  # `set -e` is off in a function called from an `||` list, so the steps are
  # chained with && and the result is checked explicitly.
  if ! (
    cd "$src" &&
      export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 &&
      for kv in "$@"; do export "${kv?}"; done &&
      go mod init "ctap.local/tools/$name" &&
      go get "$module@$version" &&
      go build -trimpath -ldflags='-s -w' -o "$out.tmp" "$pkg"
  ) >"$log" 2>&1; then
    echo "install-tools: FAILED to build $name $version; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    rm -f "$out.tmp"
    return 1
  fi
  mv "$out.tmp" "$out" || return 1
  rm -rf "$src"
  # Best effort: a machine cache that cannot be written only costs a rebuild later.
  if [[ -n $saved ]] && mkdir -p "$CTAP_TOOLS_CACHE" 2>/dev/null &&
    cp "$out" "$saved.tmp.$$" 2>/dev/null; then
    mv "$saved.tmp.$$" "$saved"
  fi
  echo "install-tools: $name $version built in $((SECONDS - start))s"
}

install_tflint_aws() {
  local version=$TFLINT_AWS_VERSION
  # tflint looks for a plugin declared with source+version at
  # <plugin dir>/<source>/<version>/tflint-ruleset-<name>; lint.sh points
  # TFLINT_PLUGIN_DIR at $CTAP_TFLINT_PLUGIN_DIR, so no `tflint --init` is needed.
  local dest="$CTAP_TFLINT_PLUGIN_DIR/github.com/terraform-linters/tflint-ruleset-aws/${version#v}"
  build_go tflint-ruleset-aws "$version" \
    github.com/terraform-linters/tflint-ruleset-aws github.com/terraform-linters/tflint-ruleset-aws || return 1
  if [[ ! -x "$dest/tflint-ruleset-aws" ]] ||
    ! cmp -s "$CTAP_TOOLS_BIN/tflint-ruleset-aws-$version" "$dest/tflint-ruleset-aws"; then
    mkdir -p "$dest" &&
      cp "$CTAP_TOOLS_BIN/tflint-ruleset-aws-$version" "$dest/tflint-ruleset-aws" || return 1
    echo "install-tools: tflint-ruleset-aws $version installed into $dest"
  fi
}

install_shellcheck() {
  if command -v shellcheck >/dev/null 2>&1; then
    echo "install-tools: shellcheck $(shellcheck --version | awk '/^version:/ {print $2}') present"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-tools: shellcheck is missing and apt-get is not available; install shellcheck" >&2
    return 1
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  local start=$SECONDS
  echo "install-tools: installing shellcheck from Debian packages"
  # Another apt run (a teammate's, or the image's) may hold the dpkg lock: wait for it.
  # Each step is checked by hand because `set -e` does not apply inside a function
  # that is called from an `||` list.
  if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null ||
    ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 \
      install -y -qq shellcheck >/dev/null ||
    ! command -v shellcheck >/dev/null 2>&1; then
    echo "install-tools: apt-get could not install shellcheck" >&2
    return 1
  fi
  echo "install-tools: shellcheck $(shellcheck --version | awk '/^version:/ {print $2}') installed in $((SECONDS - start))s"
}

install_one() {
  case $1 in
    staticcheck)
      build_go staticcheck "$STATICCHECK_VERSION" honnef.co/go/tools honnef.co/go/tools/cmd/staticcheck ;;
    actionlint)
      build_go actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint github.com/rhysd/actionlint/cmd/actionlint ;;
    terraform-docs)
      build_go terraform-docs "$TERRAFORM_DOCS_VERSION" github.com/terraform-docs/terraform-docs github.com/terraform-docs/terraform-docs ;;
    tflint)
      build_go tflint "$TFLINT_VERSION" github.com/terraform-linters/tflint github.com/terraform-linters/tflint ;;
    tflint-ruleset-aws)
      install_tflint_aws ;;
    trivy)
      # trivy v0.74 uses encoding/json/v2, which Go 1.26 still keeps behind an experiment.
      build_go trivy "$TRIVY_VERSION" github.com/aquasecurity/trivy github.com/aquasecurity/trivy/cmd/trivy GOEXPERIMENT=jsonv2 ;;
    shellcheck)
      install_shellcheck ;;
    *)
      echo "install-tools: unknown tool '$1' (known: ${CTAP_ALL_TOOLS[*]})" >&2
      return 2 ;;
  esac
}

tools=("$@")
if [[ ${#tools[@]} -eq 0 ]]; then tools=("${CTAP_ALL_TOOLS[@]}"); fi

# Builds run one after another: `go build` already uses every core, and the
# machines this runs on have two.
start=$SECONDS
failed=()
for t in "${tools[@]}"; do
  install_one "$t" || failed+=("$t")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "install-tools: failed: ${failed[*]}" >&2
  exit 1
fi
echo "install-tools: ${#tools[@]} tool(s) ready in $((SECONDS - start))s"
