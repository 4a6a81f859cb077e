"""Identifiers shaped like API Gateway's: 15 alphanumerics and a `=`, e.g. `TFS6iee2oAMCFdQ=`."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(15)) + "="
