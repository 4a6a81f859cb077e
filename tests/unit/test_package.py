"""`make package`: one zip for every function, the same bytes from the same sources."""

import hashlib
import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from serverless_chat import contract
from tests.sign_in import CLIENT_ID, ISSUER, ISSUER_KEY, USER, id_claims

ROOT = Path(__file__).resolve().parents[2]
ZIP = ROOT / "build" / "lambdas.zip"
# module, function of every route's handler, and of the `$connect` authorizer, as the contract
# names them
HANDLERS = sorted(
    {tuple(r.handler.rsplit(".", 1)) for r in [*contract.ROUTES.values(), contract.AUTHORIZER]}
)


def build() -> str:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_lambda_zip.py")],
        check=True,
        capture_output=True,
    )
    return hashlib.sha256(ZIP.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def package() -> zipfile.ZipFile:
    first, second = build(), build()
    assert first == second, "two builds of the same sources differ"
    return zipfile.ZipFile(ZIP)


def test_the_zip_holds_the_package_and_its_runtime_dependencies_only(package):
    names = package.namelist()

    assert names == sorted(names)
    for module, _ in HANDLERS:
        assert f"{module.replace('.', '/')}.py" in names
    assert "serverless_chat/contract.json" in names
    assert any(n.startswith("aws_lambda_powertools/") for n in names)
    assert not any(n.startswith(("boto3/", "botocore/")) for n in names)  # the runtime has them
    # RS256 is verified by the pure-Python rsa: cryptography alone would not fit in 5 MiB
    assert any(n.startswith("rsa/") for n in names)
    assert not any(n.startswith(("cryptography/", "cffi/")) for n in names)
    assert not any("__pycache__" in n or ".dist-info/" in n or n.endswith(".pyc") for n in names)
    assert ZIP.stat().st_size < 5 * 1024 * 1024


def test_entries_have_fixed_times_and_permissions(package):
    for info in package.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644


def test_every_handler_imports_from_the_zip_and_lambdas_boto3_alone(package, tmp_path):
    package.extractall(tmp_path / "task")
    runtime = tmp_path / "runtime"  # what the python3.12 runtime adds: boto3 and its needs
    runtime.mkdir()
    for module in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
        found = Path(importlib.util.find_spec(module).origin)
        source = found.parent if found.name == "__init__.py" else found
        (runtime / source.name).symlink_to(source)
    probe = "import importlib, sys; sys.path[:0] = sys.argv[1:3];" + "".join(
        f"assert callable(importlib.import_module('{module}').{function});"
        for module, function in HANDLERS
    )
    env = {  # as Lambda sets them, with the function's own variables
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "CONNECTIONS_TABLE": "c",
        "CONNECTIONS_ROOM_INDEX": "i",
        "CONNECTIONS_USER_INDEX": "u",
        "MESSAGES_TABLE": "m",
        "ENVIRONMENT": "test",
        # the authorizer's own
        "AUTH_MODE": "optional",
        "TOKEN_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
        "TOKEN_AUDIENCE": "client",
        "TOKEN_USE": "id",
        "JWKS_URL": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example/.well-known/jwks.json",
        "HANDLES_TABLE": "h",
        "ROOMS_TABLE": "r",
    }
    # -I and -S: no site-packages, no PYTHONPATH; only the zip and the runtime's boto3.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(tmp_path / "task"), str(runtime)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_authorizer_verifies_rs256_from_the_zip_alone_without_cryptography(package, tmp_path):
    package.extractall(tmp_path / "task")
    token = ISSUER_KEY.token(id_claims())
    probe = (
        "import json, sys; sys.path[:0] = sys.argv[1:2];"
        "from serverless_chat.adapters.id_tokens import IdTokenVerifier, JsonWebKeys;"
        "keys = JsonWebKeys('unused', fetcher=lambda url: sys.argv[2].encode());"
        "claims = IdTokenVerifier(keys, *sys.argv[3:6]).verify(sys.argv[6]);"
        "print(json.dumps([claims['sub'], 'cryptography' in sys.modules]))"
    )
    key_set = json.dumps({"keys": [ISSUER_KEY.jwk]})
    verifier = [ISSUER, CLIENT_ID, "id", token]
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(tmp_path / "task"), key_set, *verifier],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [USER, False]
