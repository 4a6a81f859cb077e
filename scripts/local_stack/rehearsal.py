"""A rehearsal of a real Terraform root (``terraform/envs/dev``; any root of the repository) on an
emulator: the root itself, its modules and variables unchanged, with only what points it at AWS
replaced.

``Rehearsal.prepare`` builds, under a work directory, a tree in which the root's relative paths
(``../../modules/chat``, a module's ``${path.module}/../../../lambdas/...``, a variable's
default ``../../../build/lambdas.zip``) resolve as they do in the repository: every directory
on the way from the repository to the root is a directory of symbolic links to the repository's
entries (but ``.git``), except the root, which is a copy of its files (not its ``.terraform``,
state, or the settings of one checkout: override files, ``*.tfvars``, ``backend.hcl``). Into that
copy it writes ``rehearsal_override.tf`` (``override``): a ``terraform { backend "local" }``
block that replaces the S3 backend, and a ``provider "aws"`` block, merged into the root's own
(its region and default tags stay), with test credentials, the checks an emulator cannot answer
skipped, path-style S3 and every endpoint in ENDPOINTS sent to the emulator. Arguments of a
module call that the emulator cannot satisfy are given there too, by name
(``module_arguments``): the one envs/dev needs is the site's WebSocket URL, which the site module
wants as ``wss://`` and the emulator reports as ``http://``.

Then ``init`` (the committed lock file, read-only), ``apply``, ``plan`` (``-detailed-exitcode``,
then ``show -json`` of the saved plan) and ``destroy``, each timed (``durations``), each with
Terraform's output in ``<phase>.log`` and the provider's debug log (``TF_LOG_PROVIDER=DEBUG``)
in ``<phase>-provider.log`` under the work directory, from which ``provider_log`` reads the AWS
operations called.

What an emulator reads back differently from AWS is named in a list of ``Unread`` (resource
address pattern, attribute, why): ``drift`` returns every planned change after the apply that
such a list does not explain. MINISTACK_UNREAD is MiniStack's, for the roots of this repository.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_stack import provider_log, terraform

ROOT = Path(__file__).resolve().parents[2]
OVERRIDE_FILE = "rehearsal_override.tf"
PHASES = ("init", "apply", "plan", "destroy")

# Every service the roots of this repository call, as the provider's `endpoints` block names it
# (hashicorp/aws 5.x), all sent to the emulator: the chat stack's services, the account-level
# API Gateway setting (apigateway, iam), sign-in's user pool (cognitoidp), and the optional
# features' (acm, kms, wafv2), so that no request of a root reaches AWS. MiniStack 1.5.33 serves
# every one of them on its one port.
ENDPOINTS = (
    "acm",
    "apigateway",
    "apigatewayv2",
    "cloudfront",
    "cloudwatch",
    "cognitoidp",
    "dynamodb",
    "iam",
    "kms",
    "lambda",
    "logs",
    "s3",
    "sns",
    "sts",
    "wafv2",
)

# Files of a root directory that are one checkout's settings, not the root: never copied.
NOT_THE_ROOT = (
    ".terraform",
    "*.tfstate",
    "*.tfstate.*",
    "override.tf",
    "override.tf.json",
    "*_override.tf",
    "*_override.tf.json",
    "terraform.tfvars",
    "terraform.tfvars.json",
    "*.auto.tfvars",
    "*.auto.tfvars.json",
    "backend.hcl",
)


@dataclass(frozen=True)
class Unread:
    """An attribute the emulator does not read back as it was written, so that a plan after the
    apply shows it changing where AWS would show nothing."""

    addresses: str  # fnmatch pattern of resource addresses, e.g. "*.aws_cloudwatch_metric_alarm.*"
    attribute: str  # a top-level attribute of the resource
    why: str


_ALARMS = "*.aws_cloudwatch_metric_alarm.*"
_ALARMS_WHY = (
    "MiniStack's DescribeAlarms over the Query protocol, which the provider reads alarms with, "
    "answers only an alarm's name, ARN, state, metric, namespace, threshold, operator and "
    "evaluation periods (its smithy-rpc-v2-cbor answer, botocore's, has them all)"
)
_HEADERS_POLICY = "*.aws_cloudfront_response_headers_policy.*"
_HEADERS_WHY = (
    "MiniStack's GetResponseHeadersPolicy always answers a CustomHeadersConfig and a "
    "RemoveHeadersConfig, with Quantity 0 when the policy has none, which the provider reads as "
    "one empty block each; AWS leaves out what the policy does not set"
)
_AUTHORIZER = "*.aws_apigatewayv2_authorizer.*"
_AUTHORIZER_WHY = (
    "MiniStack's CreateAuthorizer stores HTTP APIs' defaults on every authorizer, a WebSocket "
    "REQUEST one too: authorizerPayloadFormatVersion 2.0 and an empty jwtConfiguration, which "
    "GetAuthorizer answers and the provider reads as set; AWS has neither on a WebSocket API"
)

# What MiniStack 1.5.33 does not read back, for the roots of this repository.
MINISTACK_UNREAD: tuple[Unread, ...] = (
    *(
        Unread(_ALARMS, attribute, _ALARMS_WHY)
        for attribute in (
            "actions_enabled",
            "alarm_actions",
            "alarm_description",
            "dimensions",
            "period",
            "statistic",
            "treat_missing_data",
        )
    ),
    *(
        Unread(_HEADERS_POLICY, attribute, _HEADERS_WHY)
        for attribute in ("custom_headers_config", "remove_headers_config")
    ),
    *(
        Unread(_AUTHORIZER, attribute, _AUTHORIZER_WHY)
        for attribute in ("authorizer_payload_format_version", "jwt_configuration")
    ),
)


def _hcl(value: str) -> str:
    """A quoted HCL string of ``value``, with no template sequences."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def override(
    endpoint: str,
    module_arguments: Mapping[str, Mapping[str, str]] | None = None,
    endpoints: Iterable[str] = ENDPOINTS,
) -> str:
    """The override file that points a root at the emulator at ``endpoint``."""
    lines = [
        f"# Written by scripts/local_stack/rehearsal.py for a rehearsal on {endpoint}.",
        "terraform {",
        '  backend "local" {}',
        "}",
        "",
        'provider "aws" {',
        f"  access_key = {_hcl('test')}",
        f"  secret_key = {_hcl('test')}",
        "",
        "  skip_credentials_validation = true",
        "  skip_metadata_api_check     = true",
        "  skip_region_validation      = true",
        "  skip_requesting_account_id  = false # the emulator answers sts:GetCallerIdentity",
        "  s3_use_path_style           = true",
        "",
        "  endpoints {",
        *(f"    {service} = {_hcl(endpoint)}" for service in sorted(endpoints)),
        "  }",
        "}",
    ]
    for module, arguments in (module_arguments or {}).items():
        lines += ["", f'module "{module}" {{']
        lines += [f"  {name} = {_hcl(value)}" for name, value in arguments.items()]
        lines.append("}")
    return "\n".join(lines) + "\n"


def mirror(root: Path, tree: Path, repository: Path = ROOT) -> Path:
    """Build ``tree`` (emptied first) as the module's docstring says; return the root's copy."""
    relative = root.resolve().relative_to(repository.resolve())
    if tree.exists():
        shutil.rmtree(tree)
    here, source = tree, repository
    for part in relative.parts:
        here.mkdir(parents=True, exist_ok=True)
        for entry in source.iterdir():
            if entry.name not in (part, ".git"):  # Terraform needs no git; a tool in the tree
                (here / entry.name).symlink_to(entry)  # must not find the repository's
        here, source = here / part, source / part
    shutil.copytree(source, here, ignore=shutil.ignore_patterns(*NOT_THE_ROOT), symlinks=True)
    return here


@dataclass
class Rehearsal:
    """One rehearsal of ``root`` on the emulator at ``endpoint``, in ``work_dir``."""

    root: Path
    work_dir: Path
    endpoint: str
    variables: Mapping[str, str] = field(default_factory=dict)
    module_arguments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)

    @property
    def copy(self) -> Path:
        """The copy of the root that Terraform runs in."""
        return self.work_dir / "tree" / self.root.resolve().relative_to(ROOT)

    @property
    def state(self) -> Path:
        return self.work_dir / "terraform.tfstate"

    def log(self, phase: str) -> Path:
        """Terraform's output of ``phase``."""
        return self.work_dir / f"{phase}.log"

    def debug_log(self, phase: str) -> Path:
        """The provider's debug log of ``phase``."""
        return self.work_dir / f"{phase}-provider.log"

    def prepare(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for stale in (self.state, *self.work_dir.glob("*.log"), *self.work_dir.glob("*.tfplan")):
            stale.unlink(missing_ok=True)
        mirror(self.root, self.work_dir / "tree")
        text = override(self.endpoint, self.module_arguments)
        (self.copy / OVERRIDE_FILE).write_text(text)

    def _run(self, phase: str, arguments: list[str], ok: tuple[int, ...] = (0,)) -> int:
        environment = {
            key: value
            for key, value in terraform.environment(self.work_dir / "terraform-data").items()
            if not key.startswith("AWS_")  # only the override's credentials and endpoints
        }
        environment |= {
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_LOG_PROVIDER": "DEBUG",
            "TF_LOG_PATH": str(self.debug_log(phase)),
        }
        started = time.monotonic()
        with self.log(phase).open("ab") as log:
            status = terraform.run(self.copy, arguments, log, environment, ok=ok)
        self.durations[phase] = self.durations.get(phase, 0.0) + time.monotonic() - started
        return status

    @property
    def _var_args(self) -> list[str]:
        return [f"-var={name}={value}" for name, value in self.variables.items()]

    def init(self) -> None:
        self._run(
            "init",
            ["init", "-input=false", "-lockfile=readonly", f"-backend-config=path={self.state}"],
        )

    def apply(self) -> None:
        # What a create that met itself left (terraform.py) is removed here too.
        with terraform.removing_statements_met_again(self.debug_log("apply"), self.endpoint):
            self._run("apply", ["apply", "-input=false", "-auto-approve", *self._var_args])

    def plan(self) -> tuple[int, dict[str, Any]]:
        """``plan -detailed-exitcode`` (0: no changes, 2: changes) and the plan as JSON."""
        saved = self.work_dir / "replan.tfplan"
        status = self._run(
            "plan",
            ["plan", "-input=false", "-detailed-exitcode", f"-out={saved}", *self._var_args],
            ok=(0, 2),
        )
        shown = self.work_dir / "replan.json"
        with shown.open("wb") as out:
            terraform.run(self.copy, ["show", "-json", str(saved)], out, self._show_environment)
        plan: dict[str, Any] = json.loads(shown.read_text())
        return status, plan

    @property
    def _show_environment(self) -> dict[str, str]:
        return terraform.environment(self.work_dir / "terraform-data")

    def destroy(self) -> None:
        self._run("destroy", ["destroy", "-input=false", "-auto-approve", *self._var_args])

    def managed_in_state(self) -> list[str]:
        """The addresses of the resource instances the state holds (none without a state)."""
        if not self.state.is_file():
            return []
        addresses = []
        for resource in json.loads(self.state.read_text()).get("resources", []):
            if resource["mode"] != "managed":
                continue
            prefix = f"{resource['module']}." if resource.get("module") else ""
            for instance in resource["instances"]:
                key = instance.get("index_key")
                index = "" if key is None else f"[{json.dumps(key)}]"
                addresses.append(f"{prefix}{resource['type']}.{resource['name']}{index}")
        return addresses

    def requests(self) -> dict[str, list[provider_log.Request]]:
        """The AWS requests of each phase that ran, from the provider's debug logs."""
        return {
            phase: provider_log.read(self.debug_log(phase))
            for phase in PHASES
            if self.debug_log(phase).is_file()
        }

    def summary(self) -> dict[str, Any]:
        """What was rehearsed where, how long each phase took, and the operations called."""
        by_phase = self.requests()
        return {
            "root": str(self.root.resolve().relative_to(ROOT)),
            "endpoint": self.endpoint,
            "seconds": {phase: round(value, 1) for phase, value in self.durations.items()},
            "requests": {phase: len(requests) for phase, requests in by_phase.items()},
            "operations": provider_log.operations(by_phase),
        }


def changed_attributes(change: Mapping[str, Any]) -> set[str]:
    """The top-level attributes that a resource change of ``show -json`` changes."""
    before = change["change"].get("before") or {}
    after = change["change"].get("after") or {}
    unknown = change["change"].get("after_unknown") or {}
    return {
        name
        for name in {*before, *after, *unknown}
        if before.get(name) != after.get(name) or unknown.get(name) is True
    }


def drift(plan: Mapping[str, Any], unread: Iterable[Unread]) -> dict[str, list[str]]:
    """Every change a plan after the apply holds that ``unread`` does not explain, by resource
    address: every attribute it changes that no entry names for that address, or the whole
    change (its actions) when it is no in-place update."""
    unread = tuple(unread)
    unexplained: dict[str, list[str]] = {}
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        address = change["address"]
        if actions != ["update"]:
            unexplained[address] = ["actions: " + ",".join(actions)]
            continue
        left = sorted(
            name
            for name in changed_attributes(change)
            if not any(
                u.attribute == name and fnmatch.fnmatchcase(address, u.addresses) for u in unread
            )
        )
        if left:
            unexplained[address] = left
    return unexplained


def explained(plan: Mapping[str, Any], unread: Iterable[Unread]) -> list[Unread]:
    """The entries of ``unread`` that a change of ``plan`` needed (a stale entry is one that
    none did)."""
    changes = [
        (change["address"], changed_attributes(change))
        for change in plan.get("resource_changes", [])
        if change["change"]["actions"] == ["update"]
    ]
    return [
        u
        for u in unread
        if any(
            u.attribute in names and fnmatch.fnmatchcase(address, u.addresses)
            for address, names in changes
        )
    ]


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
