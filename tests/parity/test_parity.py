"""Each behaviour of tests/parity/behaviours.py, observed on both data planes over the same
API and functions. What a plane does must be what the table claims: a plane gaining or losing a
behaviour fails here until the table (and so README) says so."""

import json
import time

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.local_gateway.gateway_support import REGION
from tests.parity.behaviours import BY_KEY
from tests.parity.conftest import Plane

TEST_CREDENTIALS = Credentials("test", "test")


def observe(plane: Plane, key: str, observed: bool) -> None:
    claimed = BY_KEY[key].claimed(plane.name)
    assert observed == claimed, (
        f"{plane.name} {'now does' if observed else 'no longer does'}: {BY_KEY[key].aws}"
    )


def answer(connection: ClientConnection, timeout: float = 10) -> dict:
    """The next frame as JSON, or `{"text": frame}` when it is not JSON (an observation too)."""
    frame = connection.recv(timeout=timeout)
    try:
        parsed = json.loads(frame)
    except ValueError:
        return {"text": frame}
    return parsed if isinstance(parsed, dict) else {"text": frame}


def silent(connection: ClientConnection, wait: float = 1.0) -> bool:
    try:
        connection.recv(timeout=wait)
    except TimeoutError:
        return True
    return False


def test_a_body_that_is_not_json_goes_to_default(plane):
    with plane.connect() as ws:
        ws.send("not json at all")
        routed = answer(ws)
    observe(plane, "non-json", routed.get("routeKey") == "$default")


def test_a_body_nested_too_deep_to_evaluate_goes_to_default(plane):
    with plane.connect() as ws:
        ws.send("[" * 10_000 + "]" * 10_000)  # 20 KB, under the frame limit
        try:
            routed = answer(ws, timeout=5)
        except (TimeoutError, ConnectionClosed):
            routed = {}
    observe(plane, "deep-json", routed.get("routeKey") == "$default")


def test_a_route_response_sends_the_body_back_and_a_one_way_route_sends_nothing(plane):
    with plane.connect() as ws:
        ws.send(json.dumps({"action": "echo", "n": 1}))
        two_way = answer(ws)
        ws.send(json.dumps({"action": "oneway", "n": 2}))
        one_way_silent = silent(ws)
    observe(plane, "route-response", two_way.get("routeKey") == "echo" and one_way_silent)


def test_a_failing_function_gets_internal_server_error(plane):
    with plane.connect() as ws:
        ws.send(json.dumps({"action": "boom"}))
        error = answer(ws)
    named = {"connectionId", "requestId"} <= set(error)
    observe(plane, "internal-error", error.get("message") == "Internal server error" and named)


def test_past_the_integration_timeout_the_client_is_told_and_the_function_runs_on(plane):
    with plane.connect() as ws:
        ws.send(json.dumps({"action": "late"}))
        frames = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and len(frames) < 2:
            try:
                frames.append(answer(ws, timeout=max(0.1, deadline - time.monotonic())))
            except TimeoutError:
                break
    timed_out = bool(frames) and frames[0].get("message") == "Endpoint request timed out"
    observe(plane, "integration-timeout", timed_out and {"late": "posted"} in frames)


def test_a_frame_over_32_kb_closes_the_connection_with_1009(plane):
    with plane.connect() as ws:
        ws.send(json.dumps({"action": "echo", "pad": "x" * 40_000}))
        try:
            ws.recv(timeout=5)
            code = None
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        except TimeoutError:
            code = None
    observe(plane, "frame-limit", code == 1009)


def test_a_connect_answering_403_refuses_the_handshake_with_403(plane):
    try:
        with plane.connect(query="refuse=1"):
            status = 101
    except InvalidStatus as refused:
        status = refused.response.status_code
    observe(plane, "connect-refused", status == 403)


def handshake_status(plane: Plane, query: str) -> int:
    """101 when the handshake succeeds, else the status it was refused with."""
    try:
        with plane.connect(query=query):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_an_authorizer_allowing_gives_its_context_to_connect_and_later_routes(authorized_plane):
    # the authorized API's $connect accepts only an event carrying the authorizer's context
    try:
        with authorized_plane.connect(query="token=allow") as ws:
            ws.send(json.dumps({"action": "anything"}))
            authorizer = answer(ws).get("authorizer")
    except InvalidStatus:
        authorizer = None
    expected = {"team": "blue", "level": "3", "principalId": "alice"}
    observe(authorized_plane, "authorizer-allow", authorizer == expected)


def test_an_authorizer_denying_refuses_the_handshake_with_403(authorized_plane):
    status = handshake_status(authorized_plane, "token=deny")
    observe(authorized_plane, "authorizer-deny", status == 403)


def test_a_handshake_without_the_identity_source_is_refused_with_401(authorized_plane):
    # invoked, the authorizer would allow it (101)
    status = handshake_status(authorized_plane, "other=allow")
    observe(authorized_plane, "authorizer-identity-missing", status == 401)


def test_a_failing_authorizer_refuses_the_handshake_with_500(authorized_plane):
    status = handshake_status(authorized_plane, "token=boom")
    observe(authorized_plane, "authorizer-error", status == 500)


def signed_status(
    plane: Plane, form: str, credentials: Credentials = TEST_CREDENTIALS, query: str = ""
) -> tuple[int, dict]:
    """The status of a handshake to the plane's URL signed by `credentials` for execute-api,
    in its headers (`form` "headers") or as a presigned URL ("presigned"), and what the
    connection's first message gets back (101 and `{}` when nothing answers)."""
    http_url = plane.url.replace("ws://", "http://", 1) + (f"?{query}" if query else "")
    request = AWSRequest(method="GET", url=http_url)
    headers: dict[str, str] = {}
    if form == "headers":
        SigV4Auth(credentials, "execute-api", REGION).add_auth(request)
        headers = {name: request.headers[name] for name in ("Authorization", "X-Amz-Date")}
    elif form == "presigned":
        SigV4QueryAuth(credentials, "execute-api", REGION, expires=60).add_auth(request)
    url = request.url.replace("http://", "ws://", 1)
    try:
        with connect(url, additional_headers=headers, open_timeout=20) as ws:
            ws.send(json.dumps({"action": "anything"}))
            return 101, answer(ws)
    except InvalidStatus as refused:
        response = refused.response
        try:
            body = json.loads(response.body)
        except ValueError:
            body = {"text": response.body.decode(errors="replace")}
        return response.status_code, body if isinstance(body, dict) else {"text": body}


def test_an_iam_connect_accepts_a_signed_handshake_in_headers_or_presigned(iam_plane):
    statuses = [signed_status(iam_plane, form)[0] for form in ("headers", "presigned")]
    observe(iam_plane, "iam-signed", statuses == [101, 101])


def test_an_iam_connect_refuses_an_unsigned_handshake_with_403(iam_plane):
    status, body = signed_status(iam_plane, "unsigned")
    observe(
        iam_plane,
        "iam-unsigned",
        status == 403 and body.get("message") == "Missing Authentication Token",
    )


def test_an_iam_connect_refuses_a_signature_of_another_secret_with_403(iam_plane):
    wrong = Credentials("test", "not-the-secret")
    statuses = [signed_status(iam_plane, form, wrong)[0] for form in ("headers", "presigned")]
    observe(iam_plane, "iam-wrong-secret", statuses == [403, 403])


def test_a_signed_connection_carries_who_signed_on_connect_and_later_routes(iam_plane):
    # with ?identity=required the IAM API's $connect accepts only an event naming the signer
    status, echoed = signed_status(iam_plane, "presigned", query="identity=required")
    identity = echoed.get("identity") or {}
    fields = ("accessKey", "accountId", "caller", "user", "userArn")
    observe(iam_plane, "iam-identity", status == 101 and all(identity.get(f) for f in fields))


def test_the_subprotocol_is_echoed_only_when_connect_returns_it(plane):
    with plane.connect(subprotocols=["chat.v1"]) as ws:
        not_returned = ws.subprotocol
    try:
        with plane.connect(query="subprotocol=chat.v1", subprotocols=["chat.v1"]) as ws:
            returned = ws.subprotocol
    except InvalidHandshake:  # a handshake the client refuses is an observation too
        returned = None
    observe(plane, "subprotocol", not_returned is None and returned == "chat.v1")


def test_get_connection_answers_its_times_and_identity(plane):
    with plane.connect() as ws:
        ws.send(json.dumps({"action": "manage", "do": "get"}))
        report = answer(ws)
    identity = report.get("identity") or {}
    observe(
        plane,
        "connections-get",
        {"connectedAt", "lastActiveAt"} <= set(report) and identity.get("SourceIp") == "127.0.0.1",
    )


def test_delete_connection_closes_the_socket_and_later_posts_get_410(plane):
    with plane.connect() as victim, plane.connect() as caller:
        victim.send(json.dumps({"action": "echo"}))
        victim_id = answer(victim)["connectionId"]
        caller.send(json.dumps({"action": "manage", "do": "delete", "to": victim_id}))
        deleted = answer(caller)
        try:
            victim.recv(timeout=5)
            closed = False
        except ConnectionClosed:
            closed = True
        except TimeoutError:
            closed = False
        caller.send(json.dumps({"action": "manage", "do": "post", "to": victim_id}))
        after = answer(caller)
    observe(
        plane,
        "connections-delete",
        deleted == {"deleted": victim_id} and closed and after.get("status") == 410,
    )


def test_a_post_to_a_closed_connection_gets_410(plane):
    with plane.connect() as gone:
        gone.send(json.dumps({"action": "echo"}))
        gone_id = answer(gone)["connectionId"]
    time.sleep(0.5)  # the close reaches the data plane
    with plane.connect() as caller:
        caller.send(json.dumps({"action": "manage", "do": "post", "to": gone_id}))
        report = answer(caller)
    observe(plane, "gone", report == {"error": "GoneException", "status": 410})


def test_route_throttling_refuses_frames_over_the_burst(plane):
    with plane.connect() as ws:
        for n in range(3):
            ws.send(json.dumps({"action": "limited", "n": n}))
        frames = []
        while not silent_after(ws, frames):
            pass
    refused = [f for f in frames if f.get("message") == "Too Many Requests"]
    observe(plane, "route-throttling", len(refused) >= 1)


def silent_after(connection: ClientConnection, frames: list) -> bool:
    try:
        frames.append(answer(connection, timeout=1.5))
    except TimeoutError:
        return True
    return False
