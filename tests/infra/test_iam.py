"""Least privilege, checked on the CloudFormation SAM generates (so anything SAM adds is seen too).

- Every function has its own role from this template; no AWS managed policy is attached anywhere.
- No statement allows `*` actions or wildcards in action names.
- `Resource: "*"` only for actions that have no resource-level permissions and that we need:
  X-Ray's write API (and CloudWatch PutMetricData, which we do not use: metrics go out as EMF logs).
- Every other resource is one of this stack's resources, and each function logs only to its own group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

STAR_ALLOWED = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "cloudwatch:PutMetricData",
}
# Item-level work only: no Scan, no table or index administration, no PartiQL.
DYNAMODB_ALLOWED = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
}
READ_ONLY_FUNCTIONS = {"MetaFunction", "EventTypesFunction", "SlotsFunction"}


def statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement, both branches of any Fn::If, AWS::NoValue dropped."""
    raw = document.get("Statement", [])
    pending = list(raw) if isinstance(raw, list) else [raw]
    while pending:
        item = pending.pop()
        if isinstance(item, dict) and "Fn::If" in item:
            pending.extend(branch for branch in item["Fn::If"][1:] if branch != {"Ref": "AWS::NoValue"})
        elif isinstance(item, dict):
            yield item


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_documents(transformed: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    resources = transformed["Resources"]
    role = resources[role_id]["Properties"]
    documents = [p["PolicyDocument"] for p in role.get("Policies", [])]
    for arn in role.get("ManagedPolicyArns", []):
        documents.append(resources[arn["Ref"]]["Properties"]["PolicyDocument"])
    return documents


def all_policy_documents(transformed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in transformed["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield logical_id, policy["PolicyDocument"]
        elif resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            yield logical_id, props["PolicyDocument"]


def functions(transformed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = transformed["Resources"]
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Lambda::Function"}


def referenced_ids(value: Any) -> set[str]:
    """Logical ids a Resource expression points at (GetAtt, Ref, ${X} / ${X.Attr} inside Sub)."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if "Ref" in value:
            return {value["Ref"]}
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            return {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text) if not m.startswith("AWS::")}
    return set()


def test_every_function_has_its_own_role(transformed: dict[str, Any]) -> None:
    roles = {}
    for logical_id, props in functions(transformed).items():
        role = props["Role"]
        assert isinstance(role, dict) and "Fn::GetAtt" in role, f"{logical_id}: the role must be this stack's"
        role_id = role["Fn::GetAtt"][0]
        assert transformed["Resources"][role_id]["Type"] == "AWS::IAM::Role"
        assert role_id == f"{logical_id}Role", f"{logical_id} uses {role_id}"
        roles[logical_id] = role_id
    assert len(set(roles.values())) == len(roles), "functions share a role"


def test_no_aws_managed_policies(transformed: dict[str, Any]) -> None:
    for logical_id, resource in transformed["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for arn in resource["Properties"].get("ManagedPolicyArns", []):
            assert isinstance(arn, dict) and set(arn) == {"Ref"}, f"{logical_id} attaches {arn}"
            assert transformed["Resources"][arn["Ref"]]["Type"] == "AWS::IAM::ManagedPolicy"


def test_roles_are_assumable_only_by_lambda(transformed: dict[str, Any]) -> None:
    for logical_id, resource in transformed["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        trust = list(statements(resource["Properties"]["AssumeRolePolicyDocument"]))
        assert trust == [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ], logical_id


def test_no_wildcard_actions_and_star_resources_only_where_required(transformed: dict[str, Any]) -> None:
    checked = 0
    for owner, document in all_policy_documents(transformed):
        for statement in statements(document):
            checked += 1
            assert statement["Effect"] == "Allow", f"{owner}: only Allow statements are expected"
            actions = as_list(statement["Action"])
            assert all(isinstance(a, str) and "*" not in a for a in actions), f"{owner}: {actions}"
            resources = as_list(statement["Resource"])
            if "*" in resources:
                extra = sorted(set(actions) - STAR_ALLOWED)
                assert not extra, f"{owner}: Resource '*' for {extra}"
            else:
                for resource in resources:
                    assert isinstance(resource, dict), f"{owner}: literal resource {resource!r}"
    assert checked > 0


def test_every_resource_is_one_of_this_stacks(transformed: dict[str, Any]) -> None:
    resources = transformed["Resources"]
    parameters = set(transformed.get("Parameters", {}))
    for owner, document in all_policy_documents(transformed):
        for statement in statements(document):
            for resource in as_list(statement["Resource"]):
                if resource == "*":
                    continue
                ids = referenced_ids(resource)
                assert ids, f"{owner}: {resource} names no resource of this stack"
                assert ids <= set(resources) | parameters, f"{owner}: {resource}"


def test_dynamodb_actions_are_item_level(transformed: dict[str, Any]) -> None:
    for owner, document in all_policy_documents(transformed):
        for statement in statements(document):
            dynamodb = {a for a in as_list(statement["Action"]) if a.startswith("dynamodb:")}
            assert dynamodb <= DYNAMODB_ALLOWED, f"{owner}: {sorted(dynamodb - DYNAMODB_ALLOWED)}"


@pytest.mark.parametrize("function", sorted(READ_ONLY_FUNCTIONS))
def test_read_functions_only_update_counters(transformed: dict[str, Any], function: str) -> None:
    """Reads plus UpdateItem (rate-limit counters, PAT last_used_at): no puts, deletes or transactions."""
    writes = {"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}
    for document in role_documents(transformed, f"{function}Role"):
        for statement in statements(document):
            assert not writes & set(as_list(statement["Action"])), function


def test_each_function_logs_only_to_its_own_group(transformed: dict[str, Any]) -> None:
    for logical_id, props in functions(transformed).items():
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        targets = set()
        for document in role_documents(transformed, f"{logical_id}Role"):
            for statement in statements(document):
                if any(a.startswith("logs:") for a in as_list(statement["Action"])):
                    targets |= {i for r in as_list(statement["Resource"]) for i in referenced_ids(r)}
        assert targets == {group}, f"{logical_id} logs to {targets}, configured {group}"


def test_queue_and_stream_access_follows_the_event_sources(transformed: dict[str, Any]) -> None:
    """Only the fan-out reads the stream; it and the redelivery endpoint (55-admin-center §6) send
    to the delivery queue; only the delivery worker consumes it."""
    grants: dict[str, set[str]] = {}
    for logical_id in functions(transformed):
        actions = set()
        for document in role_documents(transformed, f"{logical_id}Role"):
            for statement in statements(document):
                watched = ("sqs:", "dynamodb:GetRecords")
                actions |= {a for a in as_list(statement["Action"]) if a.startswith(watched)}
        grants[logical_id] = actions
    assert grants.pop("WebhookFanoutFunction") == {"sqs:SendMessage", "dynamodb:GetRecords"}
    assert grants.pop("WebhooksFunction") == {"sqs:SendMessage"}
    assert grants.pop("AdminFunction") == {"sqs:SendMessage"}
    assert grants.pop("WebhookDeliveryFunction") == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
    }
    assert all(not actions for actions in grants.values()), grants


def test_pepper_is_readable_by_exactly_the_functions_that_need_it(transformed: dict[str, Any]) -> None:
    readers = set()
    for logical_id in functions(transformed):
        for document in role_documents(transformed, f"{logical_id}Role"):
            if any("ssm:GetParameter" in as_list(s["Action"]) for s in statements(document)):
                readers.add(logical_id)
    # The fan-out never sees a credential or a secret; everything else authenticates or signs.
    assert readers == set(functions(transformed)) - {"WebhookFanoutFunction"}
