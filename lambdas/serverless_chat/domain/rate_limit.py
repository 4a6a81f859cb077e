"""A token bucket per connection, kept as one number so one conditional write can enforce it.

The bucket is the generic cell rate algorithm: the connection item holds the *theoretical
arrival time* (``tat``) of its next message. A message costs one ``interval``; it is allowed
while ``tat`` is at most ``tolerance`` ahead of now, which lets ``burst`` messages through at once
and then ``per_second`` messages a second.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")

    @property
    def interval_ms(self) -> int:
        """What one message costs, in milliseconds."""
        return max(1, round(1000 / self.per_second))

    @property
    def tolerance_ms(self) -> int:
        """How far ahead of now the bucket may run before messages are refused."""
        return (self.burst - 1) * self.interval_ms
