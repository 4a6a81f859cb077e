"""The site's HSTS max-age is said once in security_headers.json; the prose about it agrees."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "terraform" / "modules" / "site"
YEAR_SECONDS = 365 * 86400
NUMBERS = {"one": 1, "two": 2}


@pytest.mark.parametrize("path", [SITE / "main.tf", ROOT / "terraform" / "README.md"])
def test_the_hsts_duration_in_prose_is_the_one_served(path: Path) -> None:
    hsts = json.loads((SITE / "security_headers.json").read_text())["strictTransportSecurity"]
    said = re.findall(r"HSTS is (\w+) years?", path.read_text())
    assert said, f"{path.name} no longer says how long HSTS lasts"
    assert [NUMBERS[word] * YEAR_SECONDS for word in said] == [hsts["maxAgeSeconds"]] * len(said)
