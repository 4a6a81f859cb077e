"""The real envs/account and envs/dev roots rehearsed on a fresh MiniStack each: applied,
re-planned and destroyed.

envs/local switches off what moto cannot create (the API deployment, CloudFront, its function
and response headers policy), so those parts of dev and prod would otherwise meet only
`validate` and the modules' mock-provider tests. Here the root itself runs, its modules and
variables unchanged; scripts/local_stack/rehearsal.py copies it under build/rehearsal/<name>/
and writes an override file that replaces only the S3 backend (a local one) and the provider's
credentials and endpoints (every service to the emulator), plus the module arguments a target
below gives. Then:

- the apply must create every resource it planned, and the state must hold them;
- `plan -detailed-exitcode` must show nothing beyond what MiniStack does not read back
  (rehearsal.MINISTACK_UNREAD, each entry with its reason), and every entry must still be needed;
- no AWS request of the provider may go anywhere but the emulator;
- destroy must leave an empty state;
- `make bootstrap`'s and `make deploy`'s scripts (scripts/deployment: the state bucket, the site
  upload and invalidation) run against the rehearsed stack, their boto3 calls recorded by a
  botocore `before-call` handler into build/rehearsal/deploy-scripts-operations.json;
- terraform/deploy-policy.json with deploy-policy-sign-in.json must allow every operation of
  both, and the extra actions,
  as scripts/deployment/deploy_policy.py maps and evaluates them (in build/iam-policy).

The provider's debug logs are kept under build/rehearsal/<name>/ and the AWS operations it
called written to build/rehearsal/operations.json (for dev; <name>-operations.json for another
root), with each phase's duration in build/rehearsal/<name>/summary.json and in pytest's
summary. MiniStack always: moto has no CloudFront functions, and the drift list is MiniStack's.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

from deployment import bootstrap_state, upload_site
from local_stack import emulator, rehearsal
from local_stack.rehearsal import MINISTACK_UNREAD, Rehearsal
from tests.terraform import policy_check
from tests.terraform.conftest import summarize_rehearsal

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "rehearsal"


@dataclass(frozen=True)
class Target:
    """A root to rehearse, and what the emulator needs given that AWS would not."""

    name: str
    root: Path
    # The root's input variables, as `make` passes them (the region, REGION's, on every root).
    variables: Mapping[str, str] = field(default_factory=dict)
    # The variable naming build/lambdas.zip, for a root that deploys the functions.
    lambda_package_variable: str | None = None
    # Whether `make bootstrap`'s and `make deploy`'s scripts run against it (a root with the site).
    runs_deploy_scripts: bool = False
    module_arguments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Resource types the test requires in the state: those nothing else applies for real.
    required_types: frozenset[str] = frozenset()

    @property
    def operations_file(self) -> Path:
        return OUT / ("operations.json" if self.name == "dev" else f"{self.name}-operations.json")

    @property
    def scripts_operations_file(self) -> Path:
        """The operations of `make bootstrap` and the site upload against this stack."""
        return OUT / (
            "deploy-scripts-operations.json"
            if self.name == "dev"
            else f"{self.name}-deploy-scripts-operations.json"
        )


REGION = "us-east-1"  # MiniStack's default region

TARGETS = [
    # The account setting's root first, as `make bootstrap` applies it before any environment:
    # in a fresh account, nothing registered (`make account` reads that and passes it).
    Target(
        name="account",
        root=ROOT / "terraform" / "envs" / "account",
        variables={"region": REGION, "registered_role_arn": ""},
        required_types=frozenset({"aws_api_gateway_account", "aws_iam_role"}),
    ),
    Target(
        name="dev",
        root=ROOT / "terraform" / "envs" / "dev",
        # With sign-in: `optional` creates all that `off` does plus the user pool, its client
        # and domain, the handles table and the $connect authorizer (`required` adds no
        # resource), so the deploy policy is checked against the calls of both.
        variables={"region": REGION, "auth_mode": "optional"},
        lambda_package_variable="lambda_package_path",
        runs_deploy_scripts=True,
        # The site module accepts only a ws(s):// URL, and MiniStack reports the API's endpoint
        # as http://host:port: the one argument given here. AWS would report wss://.
        module_arguments={"chat": {"websocket_url": "wss://rehearsal.invalid/dev"}},
        required_types=frozenset(
            {
                "aws_apigatewayv2_deployment",
                "aws_cloudfront_distribution",
                "aws_cloudfront_function",
                "aws_cloudfront_origin_access_control",
                "aws_cloudfront_response_headers_policy",
                "aws_s3_bucket_lifecycle_configuration",
                "aws_s3_bucket_policy",
            }
        ),
    ),
]


def _variables(target: Target, work_dir: Path) -> dict[str, str]:
    package = target.lambda_package_variable
    return {**target.variables, **({package: str(_lambda_zip(work_dir))} if package else {})}


def _lambda_zip(work_dir: Path) -> Path:
    """SERVERLESS_CHAT_LAMBDA_ZIP if given, else a throwaway zip (nothing runs the code)."""
    given = os.environ.get("SERVERLESS_CHAT_LAMBDA_ZIP")
    if given:
        return Path(given).resolve()
    path = work_dir / "lambdas.zip"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("serverless_chat/__init__.py", '"""placeholder for the emulator"""\n')
    return path


@dataclass
class Rehearsed:
    target: Target
    run: Rehearsal
    endpoint: str
    planned: int  # what the apply said it added


@pytest.fixture(scope="module", params=TARGETS, ids=lambda target: target.name)
def rehearsed(request: pytest.FixtureRequest) -> Iterator[Rehearsed]:
    """The target applied to a MiniStack of its own, destroyed (when anything is left) at the
    end, its summary and operations written whatever happened."""
    target: Target = request.param
    if not emulator.MINISTACK_PYTHON.is_file():
        pytest.skip("MiniStack is not installed: `make ministack` installs it")
    work_dir = OUT / target.name
    work_dir.mkdir(parents=True, exist_ok=True)
    with (work_dir / "ministack.log").open("wb") as log:
        server = emulator.start("ministack", "127.0.0.1", emulator.free_port(), log)
        run = Rehearsal(
            root=target.root,
            work_dir=work_dir,
            endpoint=server.endpoint,
            variables=_variables(target, work_dir),
            module_arguments=target.module_arguments,
        )
        try:
            run.prepare()
            run.init()
            run.apply()
            added = re.search(
                r"Apply complete! Resources: (\d+) added", run.log("apply").read_text()
            )
            yield Rehearsed(target, run, server.endpoint, int(added[1]) if added else -1)
        finally:
            try:
                if run.managed_in_state():
                    run.destroy()
            finally:
                server.stop()
                summary = run.summary()
                rehearsal.write_json(work_dir / "summary.json", summary)
                rehearsal.write_json(
                    target.operations_file,
                    {
                        "root": summary["root"],
                        "source": "TF_LOG_PROVIDER=DEBUG of init, apply, plan and destroy on "
                        "MiniStack (scripts/local_stack/provider_log.py)",
                        "operations": summary["operations"],
                    },
                )
                summarize_rehearsal(summary)


def test_apply_creates_every_planned_resource(rehearsed: Rehearsed) -> None:
    in_state = rehearsed.run.managed_in_state()
    assert rehearsed.planned > 0
    assert len(in_state) == rehearsed.planned
    types = {address.rsplit(".", 2)[-2] for address in in_state}
    assert rehearsed.target.required_types <= types, "resources envs/local never creates"


def test_replan_drifts_only_where_the_emulator_does_not_read_back(rehearsed: Rehearsed) -> None:
    status, plan = rehearsed.run.plan()
    unexplained = rehearsal.drift(plan, MINISTACK_UNREAD)
    assert unexplained == {}, f"drift MiniStack does not explain (see {rehearsed.run.log('plan')})"
    changes = [
        change
        for change in plan.get("resource_changes", [])
        if change["change"]["actions"] not in (["no-op"], ["read"])
    ]
    assert status == (2 if changes else 0)
    needed = rehearsal.explained(plan, MINISTACK_UNREAD)
    stale = [entry for entry in MINISTACK_UNREAD if entry not in needed]
    # Fine for a root without such resources; dev has them all, so a stale entry is a hole.
    if rehearsed.target.name == "dev":
        assert stale == [], "MiniStack now reads these back: drop them from MINISTACK_UNREAD"


def test_every_request_went_to_the_emulator(rehearsed: Rehearsed) -> None:
    requests = [r for phase in rehearsed.run.requests().values() for r in phase]
    assert requests, "the provider's debug log records no AWS request"
    emulator_host = rehearsed.endpoint.removeprefix("http://")
    assert {r.host for r in requests if r.host} == {emulator_host}
    assert all(r.signing_name for r in requests)


def test_deploy_scripts_run_against_the_stack(
    rehearsed: Rehearsed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make bootstrap` (the state bucket) and `make deploy`'s upload and invalidation, with the
    stack's own outputs, their AWS calls recorded for the policy check below."""
    if not rehearsed.target.runs_deploy_scripts:
        pytest.skip(f"{rehearsed.target.name} has no site: the deploy scripts run against dev's")
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    session = boto3.session.Session(region_name="us-east-1")
    recorder = policy_check.CallRecorder()
    recorder.attach(session)
    endpoint = ["--endpoint-url", rehearsed.endpoint]

    recorder.phase = "bootstrap"
    backend = tmp_path / "backend.hcl"
    # Another region than the stack's: CreateBucket with a location constraint, as in eu-*.
    bootstrap = ["--region", "eu-west-1", "--key", "serverless-chat/dev.tfstate"]
    assert (
        bootstrap_state.main([*bootstrap, "--backend-file", str(backend), *endpoint], session) == 0
    )

    recorder.phase = "upload"
    state = json.loads(rehearsed.run.state.read_text())
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({k: {"value": v["value"]} for k, v in state["outputs"].items()}))
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "assets" / "index-B2x9_aZq.js").write_text("console.log(1)")
    assert (
        upload_site.main(["--outputs", str(outputs), "--dist", str(dist), *endpoint], session) == 0
    )

    operations = recorder.operations()
    rehearsal.write_json(
        rehearsed.target.scripts_operations_file,
        {
            "root": "scripts/deployment (bootstrap_state, upload_site)",
            "source": "botocore before-call events against the rehearsed stack on MiniStack "
            "(tests/terraform/test_rehearsal.py)",
            "operations": operations,
        },
    )
    called = {(row["service"], row["operation"]) for row in operations}
    assert {("S3", "CreateBucket"), ("S3", "PutObject"), ("CloudFront", "CreateInvalidation")} <= (
        called
    )


def test_destroy_leaves_an_empty_state(rehearsed: Rehearsed) -> None:
    rehearsed.run.destroy()
    assert rehearsed.run.managed_in_state() == []
    destroyed = re.search(
        r"Destroy complete! Resources: (\d+) destroyed", rehearsed.run.log("destroy").read_text()
    )
    assert destroyed
    assert int(destroyed[1]) == rehearsed.planned


def test_deploy_policy_allows_every_operation_called(rehearsed: Rehearsed) -> None:
    """terraform/deploy-policy.json against what this rehearsal's init, apply, plan and destroy
    and the deploy scripts called (scripts/deployment/deploy_policy.py)."""
    if "destroy" not in rehearsed.run.requests():  # run on its own: destroy first
        rehearsed.run.destroy()
    summary = rehearsed.run.summary()
    target = rehearsed.target
    rehearsal.write_json(
        target.operations_file, {"root": summary["root"], "operations": summary["operations"]}
    )
    recorded = [target.operations_file]
    if target.runs_deploy_scripts:
        if not target.scripts_operations_file.is_file():
            pytest.fail(f"{target.scripts_operations_file} is missing: run the whole module")
        recorded.append(target.scripts_operations_file)
    report = OUT / f"{target.name}-deploy-policy-check.json"
    result = policy_check.check(recorded, report=report)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 not allowed" in result.stdout
