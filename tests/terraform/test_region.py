"""scripts/deployment/region.py: the one region `make bootstrap|plan|deploy|destroy` give to the
state bucket and to Terraform alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployment import region
from deployment.region import RegionError, resolve


def no_profile() -> str | None:
    return None


def test_region_wins_over_the_environment() -> None:
    environ = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert resolve("ap-south-1", environ, no_profile) == ("ap-south-1", "REGION")


def test_aws_region_then_aws_default_region_then_the_profile() -> None:
    both = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert resolve(None, both, no_profile) == ("eu-west-1", "AWS_REGION")
    assert resolve(None, {"AWS_DEFAULT_REGION": "us-west-2"}, no_profile) == (
        "us-west-2",
        "AWS_DEFAULT_REGION",
    )
    assert resolve(None, {"AWS_PROFILE": "work"}, lambda: "eu-central-1") == (
        "eu-central-1",
        "AWS profile work",
    )


def test_no_region_anywhere_is_an_error_that_names_the_fix() -> None:
    with pytest.raises(RegionError, match=r"No AWS region: set REGION=<region>"):
        resolve(None, {}, no_profile)
    with pytest.raises(RegionError, match="No AWS region"):
        resolve("", {"AWS_REGION": ""}, no_profile)


def test_a_name_that_is_no_region_is_refused() -> None:
    with pytest.raises(RegionError, match="not an AWS region name"):
        resolve("eu-west", {}, no_profile)
    with pytest.raises(RegionError, match="not an AWS region name"):
        resolve(None, {"AWS_REGION": "EU-WEST-1"}, no_profile)


def test_the_profile_region_is_read_from_the_aws_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-west-2\n[profile work]\nregion = eu-north-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert region.profile_region() == "us-west-2"
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert region.profile_region() == "eu-north-1"
    monkeypatch.setenv("AWS_PROFILE", "nobody")
    with pytest.raises(RegionError, match="nobody"):
        region.profile_region()


def test_a_backend_in_another_region_is_refused(tmp_path: Path) -> None:
    backend = tmp_path / "backend.hcl"
    backend.write_text(
        'bucket = "b"\nkey    = "serverless-chat/dev.tfstate"\nregion = "eu-west-1"\n'
    )
    region.check("eu-west-1", "AWS_REGION", {}, backend)  # the same: fine
    region.check("eu-west-1", "AWS_REGION", {}, tmp_path / "missing.hcl")
    with pytest.raises(RegionError, match=r"keeps the state in eu-west-1.*REGION=eu-west-1"):
        region.check("us-east-1", "AWS profile default", {}, backend)


@pytest.mark.parametrize("name", ["TF_VAR_region", "TF_STATE_REGION"])
def test_other_region_settings_must_agree(name: str) -> None:
    region.check("eu-west-1", "REGION", {name: "eu-west-1"}, None)
    with pytest.raises(RegionError, match=f"{name} is us-east-1, but the region is eu-west-1"):
        region.check("eu-west-1", "REGION", {name: "us-east-1"}, None)


def test_main_prints_the_region_and_announces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert region.main(["--announce"], {"AWS_REGION": "eu-west-1"}) == 0
    out, err = capsys.readouterr()
    assert out == "eu-west-1\n"
    assert err == "region: eu-west-1 (from AWS_REGION)\n"

    backend = tmp_path / "backend.hcl"
    backend.write_text('region = "eu-west-1"\n')
    argv = ["--region", "us-east-1", "--backend-file", str(backend)]
    assert region.main(argv, {}) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {backend} keeps the state in eu-west-1")
