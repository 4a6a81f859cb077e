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
- destroy must leave an empty state.

The provider's debug logs are kept under build/rehearsal/<name>/ and the AWS operations it
called written to build/rehearsal/operations.json (for dev; <name>-operations.json for another
root), with each phase's duration in build/rehearsal/<name>/summary.json and in pytest's
summary. MiniStack always: moto has no CloudFront functions, and the drift list is MiniStack's.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from local_stack import emulator, rehearsal
from local_stack.rehearsal import MINISTACK_UNREAD, Rehearsal
from tests.terraform.conftest import REHEARSALS

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
    module_arguments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Resource types the test requires in the state: those nothing else applies for real.
    required_types: frozenset[str] = frozenset()

    @property
    def operations_file(self) -> Path:
        return OUT / ("operations.json" if self.name == "dev" else f"{self.name}-operations.json")


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
        variables={"region": REGION},
        lambda_package_variable="lambda_package_path",
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
                request.config.stash.setdefault(REHEARSALS, []).append(summary)


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


def test_destroy_leaves_an_empty_state(rehearsed: Rehearsed) -> None:
    rehearsed.run.destroy()
    assert rehearsed.run.managed_in_state() == []
    destroyed = re.search(
        r"Destroy complete! Resources: (\d+) destroyed", rehearsed.run.log("destroy").read_text()
    )
    assert destroyed
    assert int(destroyed[1]) == rehearsed.planned
