#!/usr/bin/env bash
# Regenerates the inputs/outputs tables of every Terraform module README with the
# pinned terraform-docs (config: .terraform-docs.yml), between the
# <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> markers.
#
# Usage: scripts/docs.sh           rewrite the tables in place
#        scripts/docs.sh --check   change nothing; fail naming every stale README
# Modules: terraform/, terraform/modules/*/ and terraform/examples/*/.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tool-versions.sh
. scripts/tool-versions.sh

mode="write"
case ${1:-} in
  "") ;;
  --check) mode=check ;;
  *)
    echo "usage: scripts/docs.sh [--check]" >&2
    exit 2
    ;;
esac

if [[ ! -x $TERRAFORM_DOCS ]]; then
  scripts/install-tools.sh terraform-docs
fi

modules=()
for dir in terraform terraform/modules/* terraform/examples/*; do
  [[ -d $dir ]] || continue
  compgen -G "$dir/*.tf" >/dev/null || continue
  modules+=("$dir")
done
if [[ ${#modules[@]} -eq 0 ]]; then
  echo "docs: no Terraform modules found under terraform/" >&2
  exit 1
fi

problems=0
for dir in "${modules[@]}"; do
  readme=$dir/README.md
  if [[ ! -f $readme ]] ||
    ! grep -q '<!-- BEGIN_TF_DOCS -->' "$readme" ||
    ! grep -q '<!-- END_TF_DOCS -->' "$readme"; then
    echo "docs: $readme must exist and hold the <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> markers" >&2
    problems=$((problems + 1))
    continue
  fi
  if [[ $mode == check ]]; then
    if ! msg=$("$TERRAFORM_DOCS" --config .terraform-docs.yml --output-check "$dir" 2>&1); then
      if [[ $msg == *"out of date"* ]]; then
        echo "docs: $readme is stale (run: make docs)" >&2
      else
        echo "docs: terraform-docs failed on $dir: $msg" >&2
      fi
      problems=$((problems + 1))
    fi
  else
    if ! "$TERRAFORM_DOCS" --config .terraform-docs.yml "$dir" >/dev/null; then
      echo "docs: terraform-docs failed on $dir" >&2
      problems=$((problems + 1))
    else
      echo "docs: $readme"
    fi
  fi
done

if [[ $problems -gt 0 ]]; then
  echo "docs: $problems of ${#modules[@]} module README(s) need attention" >&2
  exit 1
fi
echo "docs: ${#modules[@]} module README(s) $([[ $mode == check ]] && echo "up to date" || echo "regenerated")"
