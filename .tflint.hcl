# TFLint configuration for every module under terraform/ (root, modules/*, examples/*).
# scripts/lint.sh runs `tflint --recursive --config=<this file>` with TFLINT_PLUGIN_DIR
# pointing at .tools/tflint-plugins, where scripts/install-tools.sh puts the locally
# built aws ruleset at <source>/<version>/tflint-ruleset-aws: no `tflint --init`, no
# download, and the version below is the one that is loaded.
#
# Ignores are inline (`# tflint-ignore: <rule> -- <why>`) next to the code they excuse,
# and listed in docs/security-exceptions.md.

config {
  # Local modules (./modules/*) are inspected through their callers as well, so a
  # value passed in by the root module is checked against the submodule's rules.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.48.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
  # deep_check calls AWS APIs; lint runs offline and without credentials.
  deep_check = false
}

# Beyond the recommended preset: every other rule of the `all` preset applies here.

rule "terraform_naming_convention" {
  enabled = true
  format  = "snake_case"
}

rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_typed_variables" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}

rule "terraform_unused_declarations" {
  enabled = true
}

rule "terraform_comment_syntax" {
  enabled = true
}

rule "terraform_unused_required_providers" {
  enabled = true
}

rule "terraform_required_version" {
  enabled = true
}

rule "terraform_required_providers" {
  enabled = true
}

rule "terraform_module_pinned_source" {
  enabled = true
  style   = "semver"
}

rule "terraform_module_shallow_clone" {
  enabled = true
}

# aws ruleset: every default rule, plus these that are off by default and fit a
# module that must work in every partition and manage its attachments exclusively.

rule "aws_iam_policy_document_gov_friendly_arns" {
  enabled = true
}

rule "aws_iam_policy_gov_friendly_arns" {
  enabled = true
}

rule "aws_iam_role_policy_gov_friendly_arns" {
  enabled = true
}

rule "aws_iam_policy_attachment_exclusive_attachment" {
  enabled = true
}

rule "aws_security_group_inline_rules" {
  enabled = true
}

rule "aws_security_group_rule_deprecated" {
  enabled = true
}

rule "aws_write_only_arguments" {
  enabled = true
}

# aws_resource_missing_tags stays off: a submodule takes its tags from the caller
# (var.tags, default {}), so inspected on its own every resource looks untagged.
# test/unit's static checks assert local.common_tags on every taggable resource.
