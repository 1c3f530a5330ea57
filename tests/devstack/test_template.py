"""Template model: short tags, intrinsic functions, and what the stack reads from template.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from fortytwo_local.devstack.cfn_yaml import load_cfn_yaml
from fortytwo_local.devstack.environment import LocalSettings, function_environment, process_environment
from fortytwo_local.devstack.template import PhysicalResource, TemplateError, load_template

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixture" / "template.yaml"


def test_short_tags_load_in_long_form() -> None:
    doc = load_cfn_yaml(
        "a: !Ref X\n"
        "b: !GetAtt Table.StreamArn\n"
        "c: !GetAtt [Queue, Arn]\n"
        "d: !Sub 'x-${Y}'\n"
        "e: !Select [1, !Split ['/', !Ref P, 2]]\n"
        "f: !Condition C\n"
        "g: 2010-09-09\n"
    )
    assert doc == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["Table", "StreamArn"]},
        "c": {"Fn::GetAtt": ["Queue", "Arn"]},
        "d": {"Fn::Sub": "x-${Y}"},
        "e": {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "P"}, 2]}]},
        "f": {"Condition": "C"},
        "g": "2010-09-09",
    }


def test_real_template_wiring() -> None:
    template = load_template(REPO / "template.yaml")
    routes = {route.route_key: route.function_id for route in template.http_routes}
    # The routes the design names (the template may gain more).
    assert routes["$default"] == "MetaFunction"
    assert routes["GET /v1/_ping"] == "MetaFunction"
    assert routes["GET /v1/event-types/{idOrSlug+}"] == "EventTypesFunction"
    assert routes["PATCH /v1/bookings/{uid}"] == "BookingsFunction"
    assert routes["DELETE /v1/webhooks/{id}"] == "WebhooksFunction"
    assert routes["GET /.well-known/oauth-authorization-server"] == "OAuthFunction"
    for fn in template.functions.values():
        assert fn.module_file == REPO / "functions" / fn.code_dir.name / "app.py"
        assert fn.handler_attr == "handler"
        assert fn.timeout_s >= 3 and fn.memory_mb >= 128

    (stream_source,) = [e for fn in template.functions.values() for e in fn.dynamodb_events]
    assert stream_source.function_id == "WebhookFanoutFunction"
    table = template.tables[stream_source.table_id or ""]
    assert table.stream_view_type == "NEW_AND_OLD_IMAGES" and table.ttl_attribute == "ttl"
    outbox = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["outbox"]}}}}
    assert outbox in stream_source.filters
    assert stream_source.report_batch_item_failures

    (sqs_source,) = [e for fn in template.functions.values() for e in fn.sqs_events]
    queue = template.queues[sqs_source.queue_id or ""]
    assert queue.dead_letter_queue_id in template.queues and queue.max_receive_count
    order = [q.logical_id for q in template.queues_in_creation_order()]
    assert order.index(queue.dead_letter_queue_id) < order.index(queue.logical_id)

    resolver = template.resolver()
    pepper_top = {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "PepperParameterName"}, 2]}]}
    assert resolver.resolve(pepper_top) == template.parameter_values["PepperParameterName"].split("/")[1]


def _physical() -> dict[str, PhysicalResource]:
    return {
        "Table": PhysicalResource("fixture-test", {"Arn": "arn:table", "StreamArn": "arn:table/stream/1"}),
        "WorkQueue": PhysicalResource(
            "http://q/work", {"Arn": "arn:sqs:work", "QueueName": "fixture-test-work"}
        ),
    }


def test_fixture_template_intrinsics_and_environment() -> None:
    template = load_template(FIXTURE)
    assert "OnlyWhenDisabled" not in template.queues  # its condition is false
    assert template.tables["Table"].name == "fixture-test"
    assert template.tables["Table"].global_secondary_indexes[0]["IndexName"] == "gsi1"
    assert template.functions["EchoFunction"].timeout_s == 10  # from Globals
    assert template.functions["QueueFunction"].timeout_s == 30  # the function's own
    assert template.functions["EchoFunction"].memory_mb == 256

    settings = LocalSettings("http://127.0.0.1:9", "http://127.0.0.1:8", "us-east-1", True, None, "pat=5")
    env = process_environment(template, template.resolver(_physical()), settings)
    assert env["FIXTURE_TABLE"] == "fixture-test"
    assert env["FIXTURE_QUEUE_URL"] == "http://q/work"
    assert env["FIXTURE_QUEUE_ARN"] == "arn:sqs:work"
    assert env["FIXTURE_QUEUE_NAME"] == "fixture-test-work"
    assert env["FIXTURE_STREAM"] == "arn:table/stream/1"
    assert env["FIXTURE_GREETING"] == "hello-test-us-east-1"
    assert env["FIXTURE_PEPPER_TOP"] == "fixture"
    assert env["FIXTURE_IF"] == "yes"
    assert env["FIXTURE_LITERAL"] == "${NotAVariable}"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:8"
    assert env["FORTYTWO_PUBLIC_BASE_URL"] == env["FORTYTWO_BOOKING_PAGE_BASE_URL"] == "http://127.0.0.1:9"
    assert env["FORTYTWO_ALLOW_INSECURE_WEBHOOKS"] == "true"
    assert env["FORTYTWO_WEBHOOK_RETRY_SCHEDULE"] == "0,60,300,1800,7200,43200"
    assert env["FORTYTWO_RATE_LIMITS"] == "pat=5"
    assert "POWERTOOLS_SERVICE_NAME" not in env
    echo = function_environment(
        template, template.resolver(_physical()), template.functions["EchoFunction"], settings
    )
    assert echo["POWERTOOLS_SERVICE_NAME"] == "echo"


def test_parameter_overrides_are_checked() -> None:
    template = load_template(FIXTURE, {"Stage": "dev", "Enabled": "false"})
    assert template.tables["Table"].name == "fixture-dev"
    assert "OnlyWhenDisabled" in template.queues
    with pytest.raises(TemplateError, match="Parameters.Enabled"):
        load_template(FIXTURE, {"Enabled": "maybe"})
    with pytest.raises(TemplateError, match="Parameters.Nope"):
        load_template(FIXTURE, {"Nope": "x"})


def test_unresolvable_reference_names_its_place() -> None:
    template = load_template(FIXTURE)
    with pytest.raises(TemplateError, match="Globals.Function.Environment.Variables.FIXTURE_TABLE"):
        settings = LocalSettings("", "", "us-east-1", False, None, None)
        process_environment(template, template.resolver({}), settings)
