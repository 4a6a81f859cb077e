"""One HTTP request with exactly the headers a test gives (Host included), as a browser page or a
rebinding name would send it: for the tests of the local stack's loopback guard."""

import http.client
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


def http_request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> Answer:
    """One request to 127.0.0.1:``port``; ``headers`` may replace the loopback Host."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **headers}
        )
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()
