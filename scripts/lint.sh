#!/usr/bin/env bash
# Every linter and scanner the repository holds itself to. Fails on any finding.
#
# Tools are pinned in scripts/tool-versions.sh and built once into .tools/ by
# scripts/install-tools.sh (run here first: it only prints "cached" when they are
# present). Every check runs even when an earlier one fails, so one run shows
# every finding; the summary at the end names the checks that failed.
#
# Usage: scripts/lint.sh [check ...]
#   checks: gofmt govet staticcheck terraform-fmt tflint trivy actionlint shellcheck docs
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tool-versions.sh
. scripts/tool-versions.sh

all_checks=(gofmt govet staticcheck terraform-fmt tflint trivy actionlint shellcheck docs)
checks=("$@")
if [[ ${#checks[@]} -eq 0 ]]; then checks=("${all_checks[@]}"); fi

needs=()
for c in "${checks[@]}"; do
  case $c in
    staticcheck) needs+=(staticcheck) ;;
    tflint) needs+=(tflint tflint-ruleset-aws) ;;
    trivy) needs+=(trivy) ;;
    actionlint) needs+=(actionlint shellcheck) ;;
    shellcheck) needs+=(shellcheck) ;;
    docs) needs+=(terraform-docs) ;;
    gofmt | govet | terraform-fmt) ;;
    *)
      echo "lint: unknown check '$c' (known: ${all_checks[*]})" >&2
      exit 2
      ;;
  esac
done
if [[ ${#needs[@]} -gt 0 ]]; then
  mapfile -t needs < <(printf '%s\n' "${needs[@]}" | sort -u)
  scripts/install-tools.sh "${needs[@]}"
fi

# Go sources the repository owns: tracked plus new, never ignored (.tools/, dist/).
go_files() { git ls-files --cached --others --exclude-standard -- '*.go'; }
# Shell scripts: every *.sh the repository owns, plus the CI entry point.
shell_files() {
  {
    git ls-files --cached --others --exclude-standard -- '*.sh'
    echo .ci/run
  } | sort -u
}

check_gofmt() {
  local files out
  mapfile -t files < <(go_files)
  [[ ${#files[@]} -eq 0 ]] && return 0
  out=$(gofmt -l "${files[@]}")
  if [[ -n $out ]]; then
    echo "files not gofmt-formatted (run: make fmt):"
    echo "$out"
    return 1
  fi
}

check_govet() {
  go vet ./... && go vet -tags integration ./...
}

check_staticcheck() {
  # Configured by staticcheck.conf at the repository root.
  "$STATICCHECK" ./... && "$STATICCHECK" -tags integration ./...
}

check_terraform_fmt() {
  terraform fmt -check -diff -recursive terraform
}

check_tflint() {
  # --recursive visits the root module, modules/* and examples/*; hidden
  # directories (.terraform) are skipped. The config path must be absolute
  # because each directory is inspected from inside it.
  TFLINT_PLUGIN_DIR=$CTAP_TFLINT_PLUGIN_DIR "$TFLINT" \
    --chdir=terraform --recursive --config="$PWD/.tflint.hcl" --no-color
}

check_trivy() {
  # trivy.yaml: MEDIUM and above fail, the embedded checks bundle is used
  # (no registry download), .terraform directories are skipped.
  "$TRIVY" config --config trivy.yaml --cache-dir "$CTAP_TRIVY_CACHE_DIR" terraform
}

check_actionlint() {
  local files
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '.github/workflows/*.yml' '.github/workflows/*.yaml')
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "no workflow files under .github/workflows"
    return 1
  fi
  # actionlint runs shellcheck on every `run:` block when it finds it on PATH.
  "$ACTIONLINT" -no-color "${files[@]}"
}

check_shellcheck() {
  local files
  mapfile -t files < <(shell_files)
  shellcheck --external-sources --severity=style "${files[@]}"
}

check_docs() {
  scripts/docs.sh --check
}

failed=()
start=$SECONDS
for c in "${checks[@]}"; do
  echo "--- lint: $c"
  t=$SECONDS
  fn="check_${c//-/_}"
  if "$fn"; then
    echo "--- lint: $c ok ($((SECONDS - t))s)"
  else
    echo "--- lint: $c FAILED ($((SECONDS - t))s)"
    failed+=("$c")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "lint: ${#failed[@]} of ${#checks[@]} checks failed: ${failed[*]} ($((SECONDS - start))s)" >&2
  exit 1
fi
echo "lint: all ${#checks[@]} checks passed ($((SECONDS - start))s)"
