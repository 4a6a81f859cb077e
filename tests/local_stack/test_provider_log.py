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


def met_again_entries(function: str, sid: str, request: str = "1e720245") -> str:
    """An AddPermission that the provider sent again and found its statement already existing,
    as it logs it (an excerpt of a stalled local apply, attributes shortened): the request of
    resource create ``request``, and its 409."""
    stamp = "2026-12-04T02:21:52.514Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5:"
    body = (
        '{"Action":"lambda:InvokeFunction","Principal":"apigateway.amazonaws.com",'
        f'"StatementId":"{sid}"}}'
    )
    return (
        f"{stamp} HTTP Request Sent: aws.region=us-east-1\n"
        "  http.request.body=\n"
        f"  | {body}\n"
        f"   http.url=http://127.0.0.1:58965/2015-03-31/functions/{function}/policy "
        f'http.request.header.amz_sdk_request="attempt=2; max=25" rpc.method=AddPermission '
        f"rpc.service=Lambda tf_req_id={request} tf_resource_type=aws_lambda_permission\n"
        f"{stamp} request failed with unretryable error https response error StatusCode: 409, "
        f"RequestID: 139dad70, ResourceConflictException: The statement id ({sid}) provided "
        "already exists. Please provide a new statement id, or remove the existing statement.: "
        f"tf_provider_addr=registry.terraform.io/hashicorp/aws tf_req_id={request} "
        "rpc.method=AddPermission rpc.service=Lambda\n"
    )


def test_statements_met_again_are_the_functions_and_ids_of_addpermissions_answered_409() -> None:
    excerpt = (
        EXCERPT
        + met_again_entries("serverless-chat-local-rooms", "AllowApiGateway-set-role", "r1")
        + met_again_entries("serverless-chat-local-rooms", "AllowApiGateway-set-role", "r1")
        + met_again_entries("serverless-chat-local-send-message", "AllowApiGateway-on-message")
    )
    assert provider_log.statements_met_again(excerpt.splitlines()) == {
        ("serverless-chat-local-rooms", "AllowApiGateway-set-role"),
        ("serverless-chat-local-send-message", "AllowApiGateway-on-message"),
    }


def test_a_conflict_whose_request_is_not_logged_yet_names_nothing() -> None:
    """The remover reads a log being written: an error without its request, or a request whose
    error has not come, is not a statement met again (yet)."""
    request, error = met_again_entries("f", "S").split("request failed")
    assert provider_log.statements_met_again(("request failed" + error).splitlines()) == set()
    assert provider_log.statements_met_again(request.splitlines()) == set()
    other = met_again_entries("f", "S").replace("409", "429").replace("ResourceConflict", "Too")
    assert provider_log.statements_met_again(other.splitlines()) == set()


def resent_create_role_entries(request: str, *, resent: bool) -> str:
    """A CreateRole answered 409, as the provider logs it (an excerpt of a failed local apply,
    attributes shortened): after the SDK resent it, or (``resent=False``) on its first try."""
    stamp = "2026-12-04T03:28:54.003Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5:"
    retry = (
        f"{stamp} retrying request IAM/CreateRole, attempt 2: rpc.method=CreateRole "
        f"rpc.service=IAM tf_req_id={request} tf_resource_type=aws_iam_role\n"
    )
    failure = (
        f"{stamp} request failed with unretryable error https response error StatusCode: 409, "
        "RequestID: 97aa8ae8, EntityAlreadyExists: Role with name r already exists.: "
        f"rpc.method=CreateRole rpc.service=IAM tf_req_id={request} tf_resource_type=aws_iam_role\n"
    )
    return (retry if resent else "") + failure


def test_a_conflict_met_by_a_resend_is_told_from_a_conflict_on_the_first_try() -> None:
    resent = resent_create_role_entries("r1", resent=True)
    first_try = resent_create_role_entries("r2", resent=False)
    assert provider_log.conflicts_met_by_a_resend((EXCERPT + resent).splitlines()) == {
        "IAM/CreateRole"
    }
    assert provider_log.conflicts_met_by_a_resend((EXCERPT + first_try).splitlines()) == set()
    # A resend in one resource's create and a conflict in another's are not one story.
    other = resent.splitlines(keepends=True)[0] + first_try  # r1 resent, r2 refused at once
    assert provider_log.conflicts_met_by_a_resend(other.splitlines()) == set()
    permission = met_again_entries("f", "S", "r3")
    retried = (
        "2026-12-04T02:21:52.631Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: retrying "
        "request Lambda/AddPermission, attempt 2: rpc.service=Lambda tf_req_id=r3\n"
    )
    assert provider_log.conflicts_met_by_a_resend((retried + permission).splitlines()) == {
        "Lambda/AddPermission"
    }
    # CloudWatch Logs says it with a 400.
    log_group = (
        resent.replace("IAM/CreateRole", "CloudWatch Logs/CreateLogGroup")
        .replace("rpc.service=IAM", 'rpc.service="CloudWatch Logs"')
        .replace("rpc.method=CreateRole", "rpc.method=CreateLogGroup")
        .replace("StatusCode: 409", "StatusCode: 400")
        .replace("EntityAlreadyExists: Role with name r", "ResourceAlreadyExistsException: r")
    )
    assert provider_log.conflicts_met_by_a_resend(log_group.splitlines()) == {
        "CloudWatch Logs/CreateLogGroup"
    }
