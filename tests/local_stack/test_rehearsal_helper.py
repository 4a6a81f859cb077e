"""The rehearsal helper's pure parts (scripts/local_stack/rehearsal.py): the override file, the
tree a root is copied into, and which planned changes the emulator's list explains.
tests/terraform/test_rehearsal.py runs a whole rehearsal."""

from pathlib import Path
from typing import Any

from local_stack import rehearsal
from local_stack.rehearsal import Unread


def test_override_replaces_the_backend_and_points_every_endpoint_at_the_emulator() -> None:
    text = rehearsal.override(
        "http://127.0.0.1:4566", {"chat": {"websocket_url": "wss://x.invalid/${stage}"}}
    )
    assert 'backend "local" {}' in text
    for service in rehearsal.ENDPOINTS:
        assert f'    {service} = "http://127.0.0.1:4566"' in text
    assert "s3_use_path_style           = true" in text
    assert "skip_credentials_validation = true" in text
    # a module argument is a literal: no template sequence survives
    assert 'module "chat" {\n  websocket_url = "wss://x.invalid/$${stage}"\n}' in text


def test_mirror_copies_the_root_and_links_everything_around_it(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    (repository / "terraform" / "envs" / "dev" / ".terraform").mkdir(parents=True)
    (repository / "terraform" / "modules" / "chat").mkdir(parents=True)
    (repository / "lambdas").mkdir()
    (repository / ".git").mkdir()
    root = repository / "terraform" / "envs" / "dev"
    for name in ("main.tf", ".terraform.lock.hcl", "backend.hcl", "x_override.tf", "a.auto.tfvars"):
        (root / name).write_text(name)
    (repository / "terraform" / "envs" / "prod").mkdir()

    copy = rehearsal.mirror(root, tmp_path / "tree", repository)

    assert copy == tmp_path / "tree" / "terraform" / "envs" / "dev"
    assert not copy.is_symlink()
    assert sorted(p.name for p in copy.iterdir()) == [".terraform.lock.hcl", "main.tf"]
    assert (copy / "../../modules/chat").resolve() == (repository / "terraform/modules/chat")
    assert (tmp_path / "tree" / "lambdas").resolve() == repository / "lambdas"
    assert (tmp_path / "tree" / "terraform" / "envs" / "prod").is_symlink()
    assert not (tmp_path / "tree" / ".git").exists()


def _change(address: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    return {"address": address, "change": {"actions": actions, "before": before, "after": after}}


ALARM = 'module.chat.module.alarms.aws_cloudwatch_metric_alarm.this["x"]'
UNREAD = (Unread("*.aws_cloudwatch_metric_alarm.*", "period", "not read back"),)


def test_drift_is_every_change_the_list_does_not_explain() -> None:
    plan = {
        "resource_changes": [
            _change(ALARM, ["update"], {"period": 0, "tags": {}}, {"period": 300, "tags": {}}),
            _change("module.chat.aws_s3_bucket.b", ["no-op"], {}, {}),
        ]
    }
    assert rehearsal.drift(plan, UNREAD) == {}
    assert rehearsal.explained(plan, UNREAD) == list(UNREAD)

    plan["resource_changes"].append(
        _change("module.x.aws_sns_topic.t", ["update"], {"period": 0}, {"period": 1})
    )
    plan["resource_changes"].append(
        _change("module.x.aws_lambda_function.f", ["delete", "create"], {}, {})
    )
    plan["resource_changes"][0]["change"]["after"]["tags"] = {"a": "b"}
    assert rehearsal.drift(plan, UNREAD) == {
        ALARM: ["tags"],
        "module.x.aws_sns_topic.t": ["period"],
        "module.x.aws_lambda_function.f": ["actions: delete,create"],
    }


def test_an_entry_no_change_needs_is_not_explained() -> None:
    assert rehearsal.explained({"resource_changes": []}, UNREAD) == []
