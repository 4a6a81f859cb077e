"""Route selection: evaluates the API's route selection expression on a message body."""

import json
import re

DEFAULT_ROUTE = "$default"
_BODY_PATH = re.compile(r"^\$\{?request\.body\.([A-Za-z0-9_.\-]+)\}?$")


class RouteSelector:
    """Picks the route key for a frame, e.g. `$request.body.action` → the body's `action`."""

    def __init__(self, expression: str, route_keys: frozenset[str]) -> None:
        match = _BODY_PATH.match(expression)
        if match is None:
            raise ValueError(f"unsupported route selection expression: {expression!r}")
        self._path = match.group(1).split(".")
        self._route_keys = route_keys

    def select(self, body: str) -> str | None:
        """The route key, `$default` when nothing matches, or None when there is no `$default`."""
        key = self._selected_value(body)
        if key is not None and key in self._route_keys:
            return key
        return DEFAULT_ROUTE if DEFAULT_ROUTE in self._route_keys else None

    def _selected_value(self, body: str) -> str | None:
        try:
            value: object = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than json can read
            return None
        for name in self._path:
            if not isinstance(value, dict):
                return None
            value = value.get(name)
        return value if isinstance(value, str) else None
