# CloudTrail Analytics Platform. Every target is a thin wrapper: the work is
# in scripts/ so that CI, contributors and the README run the same thing.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
OUT     ?= out
DIST    ?= dist

.PHONY: help build test test-go test-unit test-integration lint fmt docs demo bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the five Lambda functions into reproducible zips under dist/
	@scripts/build-lambdas.sh $(DIST)

test: test-go test-unit ## Run every offline test (Go packages, component and pipeline tests, Terraform checks)

test-go: ## Go unit, component and offline pipeline tests (starts and stops local servers)
	@scripts/test-go.sh

test-unit: ## Terraform checks: fmt, static HCL checks, validate and plan checks
	@scripts/test-unit.sh

test-integration: ## Live end-to-end tests against a sandbox AWS account (needs credentials)
	@scripts/test-integration.sh

lint: ## Every linter and scanner, with pinned tools cached under .tools/
	@scripts/lint.sh

fmt: ## Format Go and Terraform sources in place
	@gofmt -w $$(git ls-files '*.go')
	@terraform fmt -recursive terraform

docs: ## Regenerate the module READMEs' inputs and outputs with terraform-docs
	@scripts/docs.sh

demo: ## Generate CloudTrail logs, replay them through the detections, write out/report.html
	@$(GO) run ./lambda/cmd/ctap demo --out $(OUT)

bench: ## Generate a >=256 MB corpus and compare ctap replay with zcat; Go benchmarks in MB/s
	@scripts/bench.sh

clean: ## Remove build and run outputs
	rm -rf $(DIST) $(OUT) .bench
	find terraform -name .terraform -type d -prune -exec rm -rf {} +
	find terraform -name '.terraform.lock.hcl' -path '*/examples/*' -delete
