"""Every root's .terraform.lock.hcl holds the hashes of terraform/aws-provider-hashes.txt: our
mirror's h1: and the release's zh: for every platform, so `terraform init` accepts the provider on
macOS and arm64 as well as from the mirror; and `make lock` without the registry keeps them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
EXPECTED = TERRAFORM / "aws-provider-hashes.txt"
AWS_BLOCK = re.compile(
    r'provider "registry\.terraform\.io/hashicorp/aws" \{\s*'
    r'version\s*=\s*"(?P<version>[^"]+)".*?hashes = \[(?P<hashes>.*?)\]',
    re.DOTALL,
)


def expected() -> tuple[str, set[str]]:
    """The version and the hashes terraform/aws-provider-hashes.txt lists."""
    lines = [
        line.strip()
        for line in EXPECTED.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    keyword, version = lines[0].split()
    assert keyword == "version"
    return version, set(lines[1:])


def makefile_envs() -> list[str]:
    """The Makefile's TF_ENVS (local, dev, prod, account)."""
    found = re.search(r"^TF_ENVS\s*:=(.*)$", (TERRAFORM.parent / "Makefile").read_text(), re.M)
    assert found, "no TF_ENVS in the Makefile"
    return found.group(1).split()


def roots(terraform: Path = TERRAFORM) -> list[Path]:
    """The Makefile's TF_ROOTS: the envs of TF_ENVS and every module (for `terraform test`)."""
    envs = [terraform / "envs" / name for name in makefile_envs()]
    return envs + sorted(main.parent for main in terraform.glob("modules/*/main.tf"))


def locked(root: Path) -> tuple[str, set[str]]:
    found = AWS_BLOCK.search((root / ".terraform.lock.hcl").read_text())
    assert found, f"no hashicorp/aws in {root}/.terraform.lock.hcl"
    return found["version"], set(re.findall(r'"([a-z0-9]+:[^"]+)"', found["hashes"]))


def test_the_expected_set_is_one_h1_and_a_zh_per_platform() -> None:
    version, hashes = expected()
    assert version == "5.100.0"
    assert [h for h in hashes if h.startswith("h1:")] == [
        "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="
    ]
    zh = [h for h in hashes if h.startswith("zh:")]
    assert len(zh) == 15
    assert all(re.fullmatch(r"zh:[0-9a-f]{64}", h) for h in zh)


def test_every_root_has_a_lock_file_and_no_other_lock_file_exists() -> None:
    lock_files = {p.parent for p in TERRAFORM.glob("**/.terraform.lock.hcl")}
    lock_files = {p for p in lock_files if ".terraform" not in p.relative_to(TERRAFORM).parts}
    assert lock_files == set(roots())


@pytest.mark.parametrize("root", roots(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_lock_file_holds_every_platform(root: Path) -> None:
    version, hashes = expected()
    locked_version, locked_hashes = locked(root)
    assert locked_version == version
    assert hashes <= locked_hashes, f"missing: {sorted(hashes - locked_hashes)}"


def terraform_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1"}
    # Outside `make`, use the provider mirror config `make` generated, if there is one.
    cli_config = ROOT / "build" / "terraform" / "cli.tfrc"
    if not Path(env.get("TF_CLI_CONFIG_FILE", "/nonexistent")).is_file() and cli_config.is_file():
        env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    return env


@pytest.mark.parametrize("root", roots(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_init_accepts_the_lock_file_as_it_is(root: Path, tmp_path: Path) -> None:
    """`-lockfile=readonly`: the lock file already covers what the mirror installs."""
    before = (root / ".terraform.lock.hcl").read_text()
    init = subprocess.run(
        [
            "terraform",
            f"-chdir={root}",
            "init",
            "-backend=false",
            "-input=false",
            "-lockfile=readonly",
            "-no-color",
        ],
        env=terraform_env(tmp_path / ".terraform"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    assert (root / ".terraform.lock.hcl").read_text() == before


def test_make_lock_keeps_the_hashes(tmp_path: Path) -> None:
    """`make lock` in a copy of the Makefile and terraform/: where the registry does not answer it
    locks from the mirror, and Terraform keeps the hashes already there for the same version."""
    copy = tmp_path / "repository"
    copy.mkdir()
    shutil.copy2(ROOT / "Makefile", copy / "Makefile")
    shutil.copytree(TERRAFORM, copy / "terraform", ignore=shutil.ignore_patterns(".terraform"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "TF_"))}
    run = subprocess.run(
        ["make", "--no-print-directory", "-C", str(copy), "lock"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    version, hashes = expected()
    for root in roots(copy / "terraform"):
        locked_version, locked_hashes = locked(root)
        assert locked_version == version
        assert hashes <= locked_hashes, f"{root}: lost {sorted(hashes - locked_hashes)}"
