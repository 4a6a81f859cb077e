"""The data plane's pure parts: route selection, channel framing, throttling, @connections."""

import json
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_gateway.authorizers import Verdict, identity_present, verdict
from local_gateway.connections import MAX_POST_BYTES, ConnectionRegistry, ManagementApi
from local_gateway.discovery import FunctionSpec, RequestAuthorizer
from local_gateway.events import ClientInfo
from local_gateway.faults import FaultInjector
from local_gateway.routing import RouteSelector
from local_gateway.signatures import TEST_CREDENTIALS, handshake_refusal, management_refusal
from local_gateway.throttle import TokenBucket
from local_gateway.worker_runtime import wire
from local_gateway.worker_runtime.connections_hook import ConnectionsChannel, ConnectionsHook
from local_gateway.workers import InvocationResult

ROUTES = frozenset({"$connect", "$default", "on-message", "nested"})


@pytest.mark.parametrize(
    ("body", "route"),
    [
        ('{"action": "on-message"}', "on-message"),
        ('{"action": "unknown"}', "$default"),
        ('{"action": 3}', "$default"),
        ("not json", "$default"),
        ('["on-message"]', "$default"),
        ('{"action": "$connect"}', "$connect"),
    ],
)
def test_route_selection_falls_back_to_default(body: str, route: str) -> None:
    assert RouteSelector("$request.body.action", ROUTES).select(body) == route


def test_route_selection_follows_nested_paths_and_braces() -> None:
    selector = RouteSelector("${request.body.meta.kind}", ROUTES)
    assert selector.select('{"meta": {"kind": "nested"}}') == "nested"
    assert selector.select('{"meta": "nested"}') == "$default"


def test_without_a_default_route_nothing_is_selected() -> None:
    assert RouteSelector("$request.body.action", frozenset({"a"})).select("{}") is None


def test_other_selection_expressions_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        RouteSelector("$request.header.x", ROUTES)


def test_frames_are_reassembled_from_any_chunking() -> None:
    stream = b"".join(wire.pack(payload) for payload in (b"one", b"", b"three" * 1000))
    buffer = wire.FrameBuffer()
    frames = [
        frame
        for index in range(0, len(stream), 7)
        for frame in buffer.feed(stream[index : index + 7])
    ]
    assert frames == [b"one", b"", b"three" * 1000]


def test_requests_and_responses_round_trip() -> None:
    assert wire.decode_request(wire.encode_request("POST", "/s/@connections/a%3D", b"x\ny")) == (
        "POST",
        "/s/@connections/a%3D",
        b"x\ny",
    )
    assert wire.decode_response(wire.encode_response(410, "GoneException", b"{}")) == (
        410,
        "GoneException",
        b"{}",
    )
    assert wire.decode_response(wire.encode_response(200, None, b"")) == (200, None, b"")


def test_token_bucket_allows_its_burst_then_refuses() -> None:
    bucket = TokenBucket(rate=0.001, burst=2)
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    assert all(TokenBucket(rate=None, burst=None).take() for _ in range(100))


class FakeConnection:
    def __init__(self) -> None:
        self.client = ClientInfo("AbCdEfGhIjKlMnO=", 1_700_000_000_123, "10.0.0.1", "agent")
        self.last_active_ms = 1_700_000_001_456
        self.sent: list[bytes] = []
        self.closed: list[tuple[int, str]] = []

    def send_text(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))

    def abort(self) -> None:
        self.closed.append((1006, ""))


@pytest.fixture
def api_and_connection() -> tuple[ManagementApi, FakeConnection]:
    registry = ConnectionRegistry()
    connection = FakeConnection()
    registry.add(connection)
    return ManagementApi(registry, "local", lambda: None), connection


PATH = "/local/@connections/AbCdEfGhIjKlMnO%3D"


def test_post_sends_up_to_128_kb(api_and_connection: tuple[ManagementApi, FakeConnection]) -> None:
    api, connection = api_and_connection
    assert api.handle("POST", PATH, b"x" * MAX_POST_BYTES).status == 200
    too_large = api.handle("POST", PATH, b"x" * (MAX_POST_BYTES + 1))
    assert (too_large.status, too_large.error_type) == (413, "PayloadTooLargeException")
    assert connection.sent == [b"x" * MAX_POST_BYTES]


def test_unknown_connections_are_gone(
    api_and_connection: tuple[ManagementApi, FakeConnection],
) -> None:
    api, _ = api_and_connection
    for method in ("POST", "GET", "DELETE"):
        answer = api.handle(method, "/local/@connections/Other", b"")
        assert (answer.status, answer.error_type) == (410, "GoneException")


def test_other_stages_and_methods_are_forbidden(
    api_and_connection: tuple[ManagementApi, FakeConnection],
) -> None:
    api, _ = api_and_connection
    assert api.handle("POST", "/prod/@connections/AbCdEfGhIjKlMnO%3D", b"").status == 403
    assert api.handle("PUT", PATH, b"").status == 403


def test_get_describes_and_delete_closes(
    api_and_connection: tuple[ManagementApi, FakeConnection],
) -> None:
    api, connection = api_and_connection
    described = api.handle("GET", PATH, b"")
    assert json.loads(described.body) == {
        "connectedAt": "2023-11-14T22:13:20.123Z",
        "identity": {"sourceIp": "10.0.0.1", "userAgent": "agent"},
        "lastActiveAt": "2023-11-14T22:13:21.456Z",
    }
    assert api.handle("DELETE", PATH, b"").status == 204
    assert connection.closed == [(1000, "")]


def test_an_injected_fault_answers_the_next_posts_only() -> None:
    registry = ConnectionRegistry()
    connection = FakeConnection()
    registry.add(connection)
    faults = FaultInjector()
    api = ManagementApi(registry, "local", faults.take)
    assert faults.configure(b'{"status": 429, "count": 2}')
    answers = [api.handle("POST", PATH, b"x") for _ in range(3)]
    assert [(answer.status, answer.error_type) for answer in answers] == [
        (429, "LimitExceededException"),
        (429, "LimitExceededException"),
        (200, None),
    ]
    assert connection.sent == [b"x"]
    assert not faults.configure(b'{"status": 404, "count": 1}')
    assert not faults.configure(b"not json")


def signed_headers(path: str, body: bytes, credentials: Credentials) -> dict[str, str]:
    """The headers botocore's signer gives a request, with lower-case names as received."""
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:8081{path}", data=body)
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    return {**headers, "host": "127.0.0.1:8081"}


def management_refusal_type(
    headers: dict[str, str],
    method: str = "POST",
    path: str = PATH,
    body: bytes = b"hello",
    later: timedelta = timedelta(0),
) -> str:
    """The error type an `@connections` request is refused with ("" when it is served)."""
    now = datetime.now(UTC) + later
    refusal = management_refusal(
        method, path, headers, body, credentials=TEST_CREDENTIALS, region="us-east-1", now=now
    )
    return "" if refusal is None else refusal.error_type


def test_a_management_call_is_checked_against_the_test_credentials() -> None:
    headers = signed_headers(PATH, b"hello", TEST_CREDENTIALS)
    assert management_refusal_type(headers) == ""
    assert management_refusal_type(headers, body=b"hello!") == "InvalidSignatureException"
    assert management_refusal_type(headers, method="DELETE") == "InvalidSignatureException"
    assert management_refusal_type(headers, path=PATH + "x") == "InvalidSignatureException"
    other_host = {**headers, "host": "other:1"}
    assert management_refusal_type(other_host) == "InvalidSignatureException"
    wrong_secret = signed_headers(PATH, b"hello", Credentials("test", "another-secret"))
    assert management_refusal_type(wrong_secret) == "InvalidSignatureException"
    other_key = signed_headers(PATH, b"hello", Credentials("AKIAOTHER", "test"))
    assert management_refusal_type(other_key) == "UnrecognizedClientException"
    unsigned = {"host": "127.0.0.1:8081"}
    assert management_refusal_type(unsigned) == "MissingAuthenticationTokenException"
    assert management_refusal_type(headers, later=timedelta(minutes=6)) == (
        "InvalidSignatureException"
    )


HANDSHAKE_HOST = "127.0.0.1:8081"


def presigned_target(
    expires_s: int, region: str = "us-east-1", service: str = "execute-api"
) -> str:
    """A presigned upgrade's path and query, signed now by botocore's SigV4QueryAuth."""
    request = AWSRequest(method="GET", url=f"http://{HANDSHAKE_HOST}/local?room=blue")
    SigV4QueryAuth(TEST_CREDENTIALS, service, region, expires=expires_s).add_auth(request)
    return request.url.removeprefix(f"http://{HANDSHAKE_HOST}")


def refusal_message(target: str, headers: dict[str, str], later: timedelta) -> str:
    """Why the handshake is refused `later` than now ("" when it is accepted)."""
    refusal = handshake_refusal(
        target, headers, TEST_CREDENTIALS, "us-east-1", datetime.now(UTC) + later
    )
    return "" if refusal is None else refusal.message


def test_a_presigned_handshake_is_good_for_its_expiry_and_five_minutes_early() -> None:
    headers = {"host": HANDSHAKE_HOST}
    target = presigned_target(600)
    assert refusal_message(target, headers, timedelta(0)) == ""
    assert refusal_message(target, headers, timedelta(seconds=590)) == ""
    assert refusal_message(target, headers, timedelta(minutes=-4)) == ""
    expired = refusal_message(target, headers, timedelta(seconds=610))
    assert expired.startswith("Signature expired:")
    early = refusal_message(target, headers, timedelta(minutes=-6))
    assert early.startswith("Signature not yet current:")
    assert refusal_message(target.replace("blue", "red"), headers, timedelta(0)) != ""
    assert refusal_message(target, {"host": "other:1"}, timedelta(0)) != ""
    week = presigned_target(604_800)
    assert refusal_message(week, headers, timedelta(days=6)) == ""
    too_long = refusal_message(presigned_target(604_801), headers, timedelta(0))
    assert "604800" in too_long


def test_a_handshake_signed_in_its_headers_is_good_within_five_minutes() -> None:
    request = AWSRequest(method="GET", url=f"http://{HANDSHAKE_HOST}/local")
    SigV4Auth(TEST_CREDENTIALS, "execute-api", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = HANDSHAKE_HOST
    assert refusal_message("/local", headers, timedelta(minutes=4)) == ""
    assert refusal_message("/local", headers, timedelta(minutes=-4)) == ""
    assert refusal_message("/local", headers, timedelta(minutes=6)) != ""
    assert refusal_message("/local", headers, timedelta(minutes=-6)) != ""
    assert refusal_message("/other", headers, timedelta(0)) != ""


def test_a_handshake_signature_must_be_scoped_to_execute_api_in_the_region() -> None:
    headers = {"host": HANDSHAKE_HOST}
    wrong_region = refusal_message(presigned_target(60, region="eu-west-1"), headers, timedelta(0))
    assert wrong_region == "Credential should be scoped to a valid region."
    wrong_service = refusal_message(presigned_target(60, service="s3"), headers, timedelta(0))
    assert wrong_service == "Credential should be scoped to correct service: 'execute-api'."
    assert refusal_message("/local", headers, timedelta(0)) == "Missing Authentication Token"


def test_injected_dynamodb_faults_count_down_per_operation() -> None:
    faults = FaultInjector()
    assert not faults.dynamodb_armed()
    assert faults.configure(b'{"dynamodb": "PutItem", "count": 2}')
    assert faults.dynamodb_armed()
    answers = [faults.dynamodb_answer(operation) for operation in ("PutItem", "GetItem") * 3]
    assert [answer.status for answer in answers] == [400, 200, 400, 200, 200, 200]
    assert not faults.dynamodb_armed()  # the next invocations ask nothing
    assert json.loads(answers[0].body)["__type"].endswith("#ProvisionedThroughputExceededException")
    assert faults.configure(b'{"dynamodb": "Query", "count": 5}')
    assert faults.configure(b'{"dynamodb": "Query", "count": 0}')
    assert faults.dynamodb_answer("Query").status == 200
    assert not faults.configure(b'{"dynamodb": "PutItem", "count": -1}')


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://127.0.0.1:8081/local/@connections/abc%3D", "/local/@connections/abc%3D"),
        ("https://127.0.0.1:8081/local/@connections/abc", "/local/@connections/abc"),
        (
            "http://127.0.0.1:4566/_aws/execute-api/api1/local/@connections/abc",
            "/local/@connections/abc",
        ),
        ("http://127.0.0.1:4566/_aws/execute-api/other/local/@connections/abc", None),
        ("http://127.0.0.1:4566/local/@connections/abc", None),
        ("http://127.0.0.1:80811/local/@connections/abc", None),
    ],
)
def test_the_hook_takes_only_requests_under_its_endpoints(url: str, path: str | None) -> None:
    endpoints = ("http://127.0.0.1:8081", "https://127.0.0.1:8081")
    emulator = ("http://127.0.0.1:4566/_aws/execute-api/api1",)
    hook = ConnectionsHook(cast(ConnectionsChannel, None), (*endpoints, *emulator))
    assert hook.stage_path(url) == path


METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/local/$connect"


def authorizer_verdict(answer: object, error: dict[str, str] | None = None) -> Verdict:
    function = FunctionSpec("auth", "arn:aws:lambda:us-east-1:1:function:auth", "h.f",
                            "python3.12", 3, 128, {}, "sha", None)  # fmt: skip
    authorizer = RequestAuthorizer("a1", function, (), METHOD_ARN)
    return verdict(authorizer, InvocationResult(payload=answer, error=error))


def policy(*statements: dict[str, object]) -> dict[str, object]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {"principalId": "me", "policyDocument": document}


def statement(
    effect: str, resource: object, action: object = "execute-api:Invoke"
) -> dict[str, object]:
    return {"Effect": effect, "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (policy(statement("Allow", METHOD_ARN)), 101),
        (policy(statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123/*")), 101),
        (policy(statement("Allow", ["arn:aws:execute-api:*:*:abc123/loca?/$connect"])), 101),
        (policy(statement("Allow", "*", ["execute-api:*"])), 101),
        (policy(statement("Allow", "*", "EXECUTE-API:invoke")), 101),
        (policy(statement("Allow", "*"), statement("Deny", METHOD_ARN)), 403),
        (policy(statement("Allow", METHOD_ARN.replace("$connect", "$default"))), 403),
        (policy(statement("Allow", METHOD_ARN, "execute-api:ManageConnections")), 403),
        (policy(), 403),
        ({"principalId": "me", "policyDocument": {"Statement": statement("Allow", "*")}}, 101),
        ({"principalId": "me"}, 500),
        ("Allow", 500),
        ({**policy(statement("Allow", "*")), "context": {"nested": {"no": 1}}}, 500),
        ({**policy(statement("Allow", "*")), "principalId": 7}, 500),
    ],
)
def test_an_authorizer_policy_must_allow_the_method_arn(answer: object, status: int) -> None:
    assert authorizer_verdict(answer).status == status


def test_an_allowing_authorizer_gives_its_context_as_strings_with_the_principal() -> None:
    answer = {
        **policy(statement("Allow", "*")),
        "context": {"s": "x", "n": 1, "f": 1.5, "b": False},
    }
    assert authorizer_verdict(answer).context == {
        "s": "x", "n": "1", "f": "1.5", "b": "false", "principalId": "me",
    }  # fmt: skip


def test_an_authorizer_error_is_500_unless_it_says_unauthorized() -> None:
    failed = {"errorType": "RuntimeError", "errorMessage": "boom"}
    assert authorizer_verdict(None, failed).status == 500
    unauthorized = {"errorType": "Exception", "errorMessage": "Unauthorized"}
    assert authorizer_verdict(None, unauthorized).status == 401


def test_identity_sources_must_all_be_present_and_non_empty() -> None:
    function = FunctionSpec("auth", "arn", "h.f", "python3.12", 3, 128, {}, "sha", None)
    sources = ("route.request.header.Auth", "route.request.querystring.room",
               "stageVariables.realm", "context.identity.sourceIp")  # fmt: skip
    authorizer = RequestAuthorizer("a1", function, sources, METHOD_ARN)
    event = {
        "headers": {"auth": "token"},
        "queryStringParameters": {"room": "lobby"},
        "requestContext": {"identity": {"sourceIp": "10.0.0.1"}},
    }
    assert identity_present(authorizer, event, {"realm": "tests"})
    assert not identity_present(authorizer, event, {"realm": ""})
    assert not identity_present(authorizer, {**event, "headers": {}}, {"realm": "tests"})
    without_query = {key: value for key, value in event.items() if key != "queryStringParameters"}
    assert not identity_present(authorizer, without_query, {"realm": "tests"})
