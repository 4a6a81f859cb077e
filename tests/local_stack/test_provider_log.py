"""The AWS operations read from the provider's debug log (scripts/local_stack/provider_log.py),
on an excerpt of a real one (hashicorp/aws 5.100.0 applying envs/dev on MiniStack), shortened."""

from pathlib import Path

from local_stack import provider_log
from local_stack.provider_log import Request

PREFIX = "2026-12-02T06:32:02.069Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5:"
AUTH = 'http.request.header.authorization="AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=*****"'  # noqa: E501

EXCERPT = f"""\
{PREFIX} HTTP Request Sent:
  http.request.body=
  | {{"TableName":"serverless-chat-dev-connections","note":"rpc.method=NotThis rpc.service=Nope"}}
   {AUTH.format("dynamodb")} net.peer.name=127.0.0.1 rpc.method=CreateTable http.url=http://127.0.0.1:4566/ rpc.service=DynamoDB tf_aws.sdk=aws-sdk-go-v2
{PREFIX} [DEBUG] Waiting for state to become: [success]
{PREFIX} setting endpoint: rpc.service="CloudWatch Logs" rpc.method=ListTagsForResource tf_aws.endpoint="map[URI:http://127.0.0.1:4566]"
{PREFIX} HTTP Request Sent: tf_resource_type=aws_cloudwatch_log_group http.url=http://127.0.0.1:4566/ rpc.method=CreateLogGroup http.user_agent="APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io)" {AUTH.format("logs")} rpc.service="CloudWatch Logs" http.method=POST
{PREFIX} HTTP Response Received: http.status_code=200 rpc.method=CreateLogGroup rpc.service="CloudWatch Logs"
  http.response.body=
  | {{}}
   http.response.header.date="Wed, 02 Dec 2026 06:32:02 GMT"
{PREFIX} HTTP Request Sent: {AUTH.format("monitoring")} rpc.method=PutMetricAlarm rpc.service=CloudWatch http.url=http://127.0.0.1:4566/
{PREFIX} HTTP Request Sent:
  http.request.body=
  | Action=PutMetricAlarm&AlarmName=a
  | &Namespace=b
   rpc.service=CloudWatch {AUTH.format("monitoring")} http.url=http://127.0.0.1:4566/ rpc.method=PutMetricAlarm
"""  # noqa: E501


def test_requests_are_the_request_entries_with_service_operation_signing_name_and_host() -> None:
    assert list(provider_log.requests(EXCERPT.splitlines(keepends=True))) == [
        Request("DynamoDB", "CreateTable", "dynamodb", "127.0.0.1:4566"),
        Request("CloudWatch Logs", "CreateLogGroup", "logs", "127.0.0.1:4566"),
        Request("CloudWatch", "PutMetricAlarm", "monitoring", "127.0.0.1:4566"),
        Request("CloudWatch", "PutMetricAlarm", "monitoring", "127.0.0.1:4566"),
    ]


def test_operations_are_distinct_sorted_with_their_phases_and_request_counts(
    tmp_path: Path,
) -> None:
    log = tmp_path / "apply-provider.log"
    log.write_text(EXCERPT)
    destroy = [Request("DynamoDB", "DeleteTable", "dynamodb", "h:1")]
    by_phase = {"apply": provider_log.read(log), "destroy": destroy}
    assert provider_log.operations(by_phase) == [
        {
            "service": "CloudWatch",
            "operation": "PutMetricAlarm",
            "signing_names": ["monitoring"],
            "phases": ["apply"],
            "requests": 2,
        },
        {
            "service": "CloudWatch Logs",
            "operation": "CreateLogGroup",
            "signing_names": ["logs"],
            "phases": ["apply"],
            "requests": 1,
        },
        {
            "service": "DynamoDB",
            "operation": "CreateTable",
            "signing_names": ["dynamodb"],
            "phases": ["apply"],
            "requests": 1,
        },
        {
            "service": "DynamoDB",
            "operation": "DeleteTable",
            "signing_names": ["dynamodb"],
            "phases": ["destroy"],
            "requests": 1,
        },
    ]


def test_an_entry_without_service_or_operation_is_no_request() -> None:
    lines = [f"{PREFIX} HTTP Request Sent: http.method=POST http.url=http://h/\n"]
    assert list(provider_log.requests(lines)) == []
