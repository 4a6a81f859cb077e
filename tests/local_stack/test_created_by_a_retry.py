"""The local apply's one accommodation of MiniStack: a resource that an SDK retry found "already
exists" (the emulator stalled or dropped the connection after the first create went through) is
imported, and the apply run again; any other failure stays a failure."""

from pathlib import Path

from local_stack import terraform

FAILED_APPLY = (  # the end of a failed apply's log, as the provider writes it
    'module.chat.module.websocket_api.aws_lambda_permission.this["add-member"]: Creation '
    "complete after 5m0s [id=AllowApiGateway-add-member]\n"
    "\n"
    "Error: adding Lambda Permission (serverless-chat-local-rooms/AllowApiGateway-set-role): "
    "operation error Lambda: AddPermission, https response error StatusCode: 409, RequestID: "
    "119a6a64-ee22-458b-8003-6059f443e827, ResourceConflictException: The statement id "
    "(AllowApiGateway-set-role) provided already exists. Please provide a new statement id, or "
    "remove the existing statement.\n"
    "\n"
    '  with module.chat.module.websocket_api.aws_lambda_permission.this["set-role"],\n'
    '  on ../../modules/websocket-api/main.tf line 127, in resource "aws_lambda_permission" '
    '"this":\n'
    ' 127: resource "aws_lambda_permission" "this" {\n'
)


def test_a_permission_already_added_is_found_in_what_the_apply_logged(tmp_path: Path) -> None:
    log = tmp_path / "terraform.log"
    earlier = FAILED_APPLY.replace("set-role", "an-earlier-run")
    log.write_text(earlier + FAILED_APPLY)

    found = terraform._created_by_a_retry(log, since=len(earlier.encode()))

    assert found == [
        (
            'module.chat.module.websocket_api.aws_lambda_permission.this["set-role"]',
            "serverless-chat-local-rooms/AllowApiGateway-set-role",
        )
    ]


ROLE_CREATED_TWICE = (
    "Error: creating IAM Role (serverless-chat-local-rooms-us-east-1): operation error IAM: "
    "CreateRole, https response error StatusCode: 409, RequestID: c1e135f0, EntityAlreadyExists: "
    "Role with name serverless-chat-local-rooms-us-east-1 already exists.\n"
    "\n"
    '  with module.chat.module.functions.aws_iam_role.this["rooms"],\n'
    '  on ../../modules/functions/main.tf line 71, in resource "aws_iam_role" "this":\n'
)


def test_a_role_already_created_is_found_by_its_name(tmp_path: Path) -> None:
    log = tmp_path / "terraform.log"
    log.write_text(ROLE_CREATED_TWICE + "\n" + FAILED_APPLY)

    found = terraform._created_by_a_retry(log, since=0)

    assert sorted(found) == [
        (
            'module.chat.module.functions.aws_iam_role.this["rooms"]',
            "serverless-chat-local-rooms-us-east-1",
        ),
        (
            'module.chat.module.websocket_api.aws_lambda_permission.this["set-role"]',
            "serverless-chat-local-rooms/AllowApiGateway-set-role",
        ),
    ]


def test_other_failures_are_not_taken_for_it(tmp_path: Path) -> None:
    log = tmp_path / "terraform.log"
    log.write_text(
        FAILED_APPLY.replace("provided already exists", "is not valid")
        + ROLE_CREATED_TWICE.replace("Role with name", "A role like")
        + "\nError: creating DynamoDB Table (chat-rooms): ResourceInUseException: exists\n"
    )
    assert terraform._created_by_a_retry(log, since=0) == []
