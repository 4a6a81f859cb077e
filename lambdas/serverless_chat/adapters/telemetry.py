"""The chat's telemetry as powertools log keys, log lines and CloudWatch metrics (EMF).

Message text never reaches a log line: only rooms, counts and error codes do.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit


class PowertoolsTelemetry:
    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        self._logger = logger
        self._metrics = metrics

    def in_room(self, room_id: str) -> None:
        self._logger.append_keys(room_id=room_id)

    def message_sent(self, recipients: int) -> None:
        self._metrics.add_metric(name="MessagesSent", unit=MetricUnit.Count, value=1)
        self._metrics.add_metric(name="Recipients", unit=MetricUnit.Count, value=recipients)
        self._logger.info("message sent", recipients=recipients)

    def stale_connections_removed(self, count: int) -> None:
        self._metrics.add_metric(name="StaleConnectionsRemoved", unit=MetricUnit.Count, value=count)
        if count:
            self._logger.info("stale connections removed", count=count)

    def refused(self, code: str) -> None:
        self._logger.info("request refused", error_code=code)

    def closed_for_refusals(self) -> None:
        self._metrics.add_metric(name="ClosedForRefusals", unit=MetricUnit.Count, value=1)
        self._logger.warning("connection closed: refused too often")
