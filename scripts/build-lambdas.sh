#!/usr/bin/env bash
# Builds every Lambda function under lambda/cmd (all but ctap) into a
# reproducible DIST/<name>.zip holding one file, bootstrap, and prints each
# zip's base64 SHA-256 (what Terraform's filebase64sha256 gives).
#   scripts/build-lambdas.sh [DIST]            default DIST: dist
#   scripts/build-lambdas.sh --check [DIST]    build twice (the second time with an empty
#                                              Go build cache) and fail unless the zips match
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [[ ${1:-} == --check ]]; then check=1; shift; fi
dist=${1:-dist}

mapfile -t functions < <(find lambda/cmd -mindepth 1 -maxdepth 1 -type d ! -name ctap -printf '%f\n' | sort)
if [[ ${#functions[@]} -eq 0 ]]; then
  echo "build-lambdas: no functions under lambda/cmd" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "${tmp}"' EXIT
go build -o "${tmp}/zipdeterministic" ./lambda/internal/zipper/cmd/zipdeterministic

# build OUTDIR: cross-compile each function and zip it deterministically.
build() {
  local out=$1 fn hash
  mkdir -p "${out}"
  for fn in "${functions[@]}"; do
    CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -buildvcs=false \
      -ldflags='-s -w -buildid=' -tags lambda.norpc -o "${tmp}/${fn}/bootstrap" "./lambda/cmd/${fn}"
    hash=$("${tmp}/zipdeterministic" "${tmp}/${fn}/bootstrap" "${out}/${fn}.zip")
    printf '%-22s %s  %s\n' "${fn}" "${hash}" "${out}/${fn}.zip"
  done
}

build "${dist}"

if [[ ${check} == 1 ]]; then
  echo "--- rebuilding with an empty build cache to check reproducibility"
  GOCACHE="${tmp}/gocache" build "${tmp}/again" >/dev/null
  for fn in "${functions[@]}"; do
    if ! cmp -s "${dist}/${fn}.zip" "${tmp}/again/${fn}.zip"; then
      echo "build-lambdas: ${fn}.zip differs between two builds: not reproducible" >&2
      exit 1
    fi
  done
  echo "reproducible: ${#functions[@]} zips identical across two builds"
fi
