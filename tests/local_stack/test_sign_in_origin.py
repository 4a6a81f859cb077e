"""Where a page signs in, read from its config.json as `make smoke` reads it, and the CSP that
allows it: the emulator locally, Cognito's regional endpoint on AWS, nothing without sign-in (as
terraform/modules/site renders it, tests there)."""

import pytest

from deployment.security_headers import security_headers, sign_in_origin

POOL = "eu-west-1_AbCdEf123"


@pytest.mark.parametrize(
    ("config", "origin"),
    [
        ({"websocketUrl": "wss://x/prod"}, None),  # a page from before sign-in
        ({"authMode": "off", "userPoolId": "", "cognitoEndpoint": ""}, None),
        (
            {"authMode": "optional", "userPoolId": POOL, "cognitoEndpoint": ""},
            "https://cognito-idp.eu-west-1.amazonaws.com",
        ),
        (
            {
                "authMode": "required",
                "userPoolId": POOL,
                "cognitoEndpoint": "http://127.0.0.1:4566/",
            },
            "http://127.0.0.1:4566",
        ),
    ],
)
def test_the_page_signs_in_where_its_config_says(
    config: dict[str, str], origin: str | None
) -> None:
    assert sign_in_origin(config) == origin


def test_the_csp_gains_exactly_the_sign_in_origin() -> None:
    without = security_headers("wss://abc.example/prod")["Content-Security-Policy"]
    with_sign_in = security_headers(
        "wss://abc.example/prod", "https://cognito-idp.eu-west-1.amazonaws.com"
    )["Content-Security-Policy"]
    assert "connect-src 'self' wss://abc.example;" in without
    assert (
        "connect-src 'self' wss://abc.example https://cognito-idp.eu-west-1.amazonaws.com;"
        in with_sign_in
    )
    assert without.replace(" https://cognito-idp.eu-west-1.amazonaws.com", "") == without
    assert with_sign_in.replace(" https://cognito-idp.eu-west-1.amazonaws.com", "") == without
