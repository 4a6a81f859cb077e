"""Every command of terraform/README.md's walkthrough is run by a test, or is a step only AWS
can take.

The walkthrough's commands are the lines of the README's ```sh blocks, one command a line. Each
must match (in full) a pattern of COVERED, which names the tests that run it, or of AWS_ONLY,
which says why nothing here can. The named tests must exist (read from their modules' source, so
renaming or deleting one fails here), every entry must still match a command of the README, and
every `make` command must name a target of the Makefile.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "terraform" / "README.md"
WALKTHROUGH = "## From an empty AWS account to a running chat"

MAKE_DEPLOY = "tests/terraform/test_make_deploy.py"
REHEARSAL = "tests/terraform/test_rehearsal.py"

# Command pattern → the tests that run it (path::function; a parametrized test by its function).
COVERED: dict[str, tuple[str, ...]] = {
    r"export AWS_REGION=eu-west-1": (
        # `AWS_REGION=eu-west-1` in make's environment: bootstrap, plan and destroy use it.
        f"{MAKE_DEPLOY}::test_bootstrap_plan_and_destroy_share_the_region_of_aws_region",
        "tests/terraform/test_region.py::test_aws_region_then_aws_default_region_then_the_profile",
    ),
    r"make bootstrap ENV=dev": (
        # The target on a copy of the repository, its bucket on the emulator, then make account.
        f"{MAKE_DEPLOY}::test_bootstrap_plan_and_destroy_share_the_region_of_aws_region",
        "tests/terraform/test_deploy_scripts.py::test_bootstrap_creates_a_private_versioned_state_bucket",
        # envs/account applied for real (its `account` target), as make account applies it.
        f"{REHEARSAL}::test_apply_creates_every_planned_resource",
        "tests/terraform/test_account_root.py::test_fresh_account_gets_our_role_registered",
    ),
    r"make plan ENV=dev": (
        f"{MAKE_DEPLOY}::test_plan_and_destroy_build_the_zip_first",
        f"{MAKE_DEPLOY}::test_bootstrap_plan_and_destroy_share_the_region_of_aws_region",
        f"{REHEARSAL}::test_replan_drifts_only_where_the_emulator_does_not_read_back",
    ),
    r"make deploy ENV=dev": (
        # The target to its account-setting check; its apply and its scripts in the rehearsal.
        f"{MAKE_DEPLOY}::test_deploy_stops_until_a_cloudwatch_role_is_registered",
        f"{REHEARSAL}::test_apply_creates_every_planned_resource",
        f"{REHEARSAL}::test_deploy_scripts_run_against_the_stack",
    ),
    r"make smoke ENV=dev": (
        "tests/integration/test_smoke.py::test_make_smoke_env_reads_the_urls_from_terraform_output",
    ),
    r"make destroy ENV=dev": (
        f"{MAKE_DEPLOY}::test_plan_and_destroy_build_the_zip_first",
        f"{MAKE_DEPLOY}::test_destroy_forgets_the_account_role_an_earlier_dev_held",
        f"{REHEARSAL}::test_destroy_leaves_an_empty_state",
    ),
    r"make account-destroy ENV=dev": (
        f"{MAKE_DEPLOY}::test_account_destroy_destroys_envs_account_on_the_state_make_account_applied",
        "tests/terraform/test_account_root.py::test_fresh_account_gets_our_role_registered",
        f"{REHEARSAL}::test_destroy_leaves_an_empty_state",
    ),
}

# Command pattern → why no test can run it. Keep it short: these need a real account.
PLACEHOLDER = r"<[a-z-]+>"
POLICY_ARN = r"arn:aws:iam::<account>:policy/serverless-chat-deploy(?:-sign-in)?"
AWS_ONLY: dict[str, str] = {
    rf"aws sso login --profile {PLACEHOLDER}": (
        "signing in: IAM Identity Center and the user's profiles exist only in their AWS account"
    ),
    rf"export AWS_PROFILE={PLACEHOLDER}": (
        "names the deploying identity's profile, which only the user's ~/.aws/config holds"
    ),
    (
        rf"aws iam (?:create-policy|attach-role-policy|detach-role-policy|delete-policy)"
        rf" --profile {PLACEHOLDER}(?: --role-name {PLACEHOLDER})?"
        rf"(?: --policy-name serverless-chat-deploy(?P<sign_in>-sign-in)? --policy-document"
        rf" file://terraform/deploy-policy(?(sign_in)-sign-in)\.json| --policy-arn {POLICY_ARN})"
    ): (
        "the account's IAM, as an identity allowed to manage it; what the policy allows is"
        f" checked against the rehearsal's calls ({REHEARSAL}::"
        "test_deploy_policy_allows_every_operation_called) and its size by"
        " tests/terraform/test_deploy_policy.py::test_the_policy_fits_a_managed_policy"
    ),
}


def walkthrough() -> str:
    """The walkthrough's section of the README: from its heading to the next `## ` heading."""
    text = README.read_text()
    start = text.index(WALKTHROUGH)
    after = text.find("\n## ", start + len(WALKTHROUGH))
    return text[start : after if after != -1 else len(text)]


def fences(text: str) -> list[tuple[str, list[str]]]:
    """Each fenced block of `text`: its info string and its lines."""
    blocks: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"\s*```(\S*)", lines[index])
        index += 1
        if not opening:
            continue
        body: list[str] = []
        while index < len(lines) and not re.match(r"\s*```\s*$", lines[index]):
            body.append(lines[index])
            index += 1
        index += 1
        blocks.append((opening[1], body))
    return blocks


def commands() -> list[str]:
    """The commands of the README's ```sh blocks (all of them, walkthrough or not)."""
    return [
        line.strip()
        for info, body in fences(README.read_text())
        if info == "sh"
        for line in body
        if line.strip() and not line.strip().startswith("#")
    ]


def matches(patterns: dict[str, object], command: str) -> list[str]:
    return [pattern for pattern in patterns if re.fullmatch(pattern, command)]


def test_the_walkthrough_keeps_its_commands_in_sh_blocks() -> None:
    blocks = fences(walkthrough())
    assert [info for info, _ in blocks if info != "sh"] == [], "every block a ```sh one"
    assert len(blocks) >= 8
    continued = [line for _, body in blocks for line in body if line.rstrip().endswith("\\")]
    assert continued == [], "one command a line"


@pytest.mark.parametrize("command", commands())
def test_every_command_is_covered_or_aws_only(command: str) -> None:
    found = matches(COVERED, command) + matches(AWS_ONLY, command)
    assert found, (
        f"{command!r}: in neither COVERED (the tests that run it) nor AWS_ONLY (why none can)"
    )
    assert len(found) == 1, f"{command!r} matches more than one entry: {found}"


def test_every_entry_is_still_a_command_of_the_readme() -> None:
    listed = commands()
    stale = [p for p in [*COVERED, *AWS_ONLY] if not any(re.fullmatch(p, c) for c in listed)]
    assert stale == [], "no longer in terraform/README.md's ```sh blocks: drop them"


def test_aws_only_is_short_and_says_why() -> None:
    assert len(AWS_ONLY) <= 4
    assert all(len(reason.split()) >= 5 for reason in AWS_ONLY.values())


def test_the_named_tests_exist() -> None:
    missing = []
    for command, tests in COVERED.items():
        assert tests, f"{command!r} names no test"
        for test in tests:
            path, name = test.split("::")
            module = ROOT / path
            defined = (
                {
                    node.name
                    for node in ast.parse(module.read_text()).body
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                if module.is_file()
                else set()
            )
            if not name.startswith("test_") or name not in defined:
                missing.append(test)
    assert missing == []


def test_make_commands_name_targets_of_the_makefile() -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    named = {c.split()[1] for c in commands() if c.startswith("make ")}
    assert named
    assert named - targets == set()
