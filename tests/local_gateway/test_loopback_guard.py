"""The Host/Origin guard in front of every local endpoint."""

import pytest

from local_gateway.loopback_guard import LoopbackGuard, Refusal

GUARD = LoopbackGuard(port=4566, allowed_origins={"http://127.0.0.1:5173"})


@pytest.mark.parametrize(
    "host", ["127.0.0.1:4566", "localhost:4566", "[::1]:4566", "LOCALHOST:4566"]
)
def test_a_loopback_host_on_its_port_without_origin_passes(host: str) -> None:
    assert GUARD.refusal(host, None) is None


@pytest.mark.parametrize(
    "host",
    ["evil.example:4566", "127.0.0.1:9999", "127.0.0.1", "localhost.evil.example:4566", None],
)
def test_a_rebinding_or_foreign_host_is_refused(host: str | None) -> None:
    assert GUARD.refusal(host, None) is Refusal.FOREIGN_HOST


def test_the_sites_own_origin_passes() -> None:
    assert GUARD.refusal("127.0.0.1:4566", "http://127.0.0.1:5173") is None


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:8000", "null"])
def test_a_foreign_origin_is_refused(origin: str) -> None:
    assert GUARD.refusal("127.0.0.1:4566", origin) is Refusal.FOREIGN_ORIGIN


def test_a_server_bound_elsewhere_than_loopback_also_answers_its_own_address() -> None:
    guard = LoopbackGuard(port=8081, allowed_origins=(), bound_host="192.168.1.5")
    assert guard.refusal("192.168.1.5:8081", None) is None
    assert guard.refusal("127.0.0.1:8081", None) is None
    assert guard.refusal("192.168.1.6:8081", None) is Refusal.FOREIGN_HOST


def test_a_sites_guard_answers_its_own_pages_only() -> None:
    guard = LoopbackGuard.of_site(5173)
    assert guard.refusal("localhost:5173", "http://localhost:5173") is None
    assert guard.refusal("127.0.0.1:5173", "http://127.0.0.1:5173") is None
    assert guard.refusal("127.0.0.1:5173", "http://127.0.0.1:8000") is Refusal.FOREIGN_ORIGIN
    assert guard.refusal("evil.example:5173", None) is Refusal.FOREIGN_HOST
