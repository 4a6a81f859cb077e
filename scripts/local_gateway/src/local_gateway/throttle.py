"""API Gateway's throttling: a token bucket per route, from the stage's route settings."""

import time


class TokenBucket:
    """`rate` tokens per second, at most `burst` at once; no limit when either is None."""

    def __init__(self, rate: float | None, burst: int | None) -> None:
        self._rate = rate
        self._burst = burst
        self._tokens = float(burst or 0)
        self._updated = time.monotonic()

    def take(self) -> bool:
        if self._rate is None or self._burst is None:
            return True
        now = time.monotonic()
        self._tokens = min(float(self._burst), self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
