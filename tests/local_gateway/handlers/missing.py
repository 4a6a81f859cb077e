"""Imports a package that is installed in the developer's venv but not in the zip."""

import aws_lambda_powertools  # noqa: F401


def handler(event: object, context: object) -> dict[str, int]:
    return {"statusCode": 200}
