"""The deployment pieces 60-operations §6 asks for are in template.yaml and wired to each other."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support import aws

API_SERVICES = {"meta", "event-types", "slots", "bookings", "series", "webhooks", "oauth", "mcp", "admin"}


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of(template, "AWS::Serverless::Function").items()}


def substitute(text: str) -> str:
    """A Fn::Sub body with every ${…} replaced by a plain token (enough to check JSON syntax)."""
    return re.sub(r"\$\{[^}]+\}", "x", text)


def test_the_local_stack_loads_the_template() -> None:
    from fortytwo_local.devstack.template import load_template

    loaded = load_template(aws.TEMPLATE)
    assert set(loaded.functions) == set(functions(aws.load_template()))
    assert {"DeliveryQueue", "DeliveryDeadLetterQueue"} <= set(loaded.queues)
    assert loaded.queues["DeliveryQueue"].dead_letter_queue_id == "DeliveryDeadLetterQueue"


def test_every_parameter_has_a_default(template: dict[str, Any]) -> None:
    """`42min dev` and `sam deploy` without overrides both need one."""
    assert [name for name, spec in template["Parameters"].items() if "Default" not in spec] == []


def test_required_parameters_exist(template: dict[str, Any]) -> None:
    assert {
        "Stage",
        "CustomDomainName",
        "CertificateArn",
        "OAuthDcrEnabled",
        "LogRetentionDays",
        "AlarmEmail",
        "PepperParameterName",
    } <= set(template["Parameters"])
    assert template["Parameters"]["OAuthDcrEnabled"]["Default"] == "false"


def test_sdk_tracing_is_off_by_default_and_lambda_tracing_stays_active(template: dict[str, Any]) -> None:
    """The X-Ray SDK is imported only with SdkTracing=true (docs/decisions.md 47); Lambda's own
    segments are recorded either way."""
    assert template["Parameters"]["SdkTracing"]["Default"] == "false"
    assert template["Conditions"]["SdkTracingOn"] == {"Fn::Equals": [{"Ref": "SdkTracing"}, "true"]}
    globals_ = template["Globals"]["Function"]
    assert globals_["Tracing"] == "Active"
    assert globals_["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == {
        "Fn::If": ["SdkTracingOn", "false", "true"]
    }


def test_custom_domain_resources_are_conditional(template: dict[str, Any]) -> None:
    for kind in ("AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping", "AWS::Route53::RecordSet"):
        for logical_id, resource in resources_of(template, kind).items():
            assert resource.get("Condition") in ("HasCustomDomain", "HasHostedZone"), logical_id
    assert resources_of(template, "AWS::ApiGatewayV2::DomainName"), "no custom domain support"


def test_table_is_production_grade(template: dict[str, Any]) -> None:
    table = template["Resources"]["Table"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["DeletionProtectionEnabled"] is True


def test_pepper_is_not_created_by_the_stack(template: dict[str, Any]) -> None:
    """CloudFormation cannot create SecureStrings; the functions get the name of one made beforehand."""
    assert not resources_of(template, "AWS::SSM::Parameter")
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["FORTYTWO_PEPPER_PARAM"] == {"Ref": "PepperParameterName"}


def test_every_function_logs_to_its_own_group_with_retention(template: dict[str, Any]) -> None:
    groups = resources_of(template, "AWS::Logs::LogGroup")
    used = []
    for logical_id, props in functions(template).items():
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id
        used.append(group)
    assert len(used) == len(set(used))
    api_logs = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
    access_group = api_logs["DestinationArn"]["Fn::GetAtt"][0]
    assert groups[access_group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert set(groups) == {*used, access_group}


def test_access_log_format_is_json_without_headers(template: dict[str, Any]) -> None:
    fmt = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    record = json.loads(fmt)
    assert {"requestId", "routeKey", "status", "responseLatency", "integrationRequestId"} <= set(record)
    assert "header" not in fmt.lower() and "authorization" not in fmt.lower()


def test_api_has_default_throttling(template: dict[str, Any]) -> None:
    settings = template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}


def test_delivery_worker_concurrency_is_capped(template: dict[str, Any]) -> None:
    props = functions(template)["WebhookDeliveryFunction"]
    reserved = props["ReservedConcurrentExecutions"]["Fn::If"]
    assert reserved[0] == "CapDeliveryConcurrency" and reserved[1] == {"Ref": "DeliveryConcurrency"}
    scaling = props["Events"]["Deliveries"]["Properties"]["ScalingConfig"]["Fn::If"]
    assert scaling[1] == {"MaximumConcurrency": {"Ref": "DeliveryConcurrency"}}


def test_fanout_failures_are_parked_not_dropped(template: dict[str, Any]) -> None:
    outbox = functions(template)["WebhookFanoutFunction"]["Events"]["Outbox"]["Properties"]
    destination = outbox["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["FanoutFailureQueue", "Arn"]}


def test_the_dead_letter_queue_never_cuts_the_retry_schedule_short(template: dict[str, Any]) -> None:
    """Issue 17 §2: the schedule (claims counted in the delivery record) ends a delivery, never the
    receive budget; half the budget is left for errors before a claim. Visibility ≥ 6 × the
    worker's timeout (AWS's guidance for SQS event sources)."""
    from fortytwo.domain.webhooks.delivery_state import DEFAULT_CLAIM_LEASE_SECONDS, receives_bound
    from fortytwo.domain.webhooks.retry import parse_schedule

    queue = template["Resources"]["DeliveryQueue"]["Properties"]
    schedule = parse_schedule(template["Parameters"]["WebhookRetrySchedule"]["Default"])
    assert int(queue["RedrivePolicy"]["maxReceiveCount"]) >= 2 * receives_bound(schedule)
    worker = functions(template)["WebhookDeliveryFunction"]
    timeout = int(worker.get("Timeout", template["Globals"]["Function"]["Timeout"]))
    assert int(queue["VisibilityTimeout"]) >= 6 * timeout
    # An expired claim must mean a dead worker: the lease outlasts the function's timeout.
    assert timeout <= DEFAULT_CLAIM_LEASE_SECONDS


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()}


def alarm_metrics(props: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric name, dimensions) of a simple or metric-math alarm."""
    if "MetricName" in props:
        dims = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
        return [(props["Namespace"], props["MetricName"], dims)]
    found = []
    for query in props["Metrics"]:
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            found.append((metric["Namespace"], metric["MetricName"], dims))
    return found


def test_every_alarm_notifies_the_topic(template: dict[str, Any]) -> None:
    for logical_id, props in alarms(template).items():
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert props["OKActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert props.get("TreatMissingData") == "notBreaching", logical_id
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}


def test_alarm_names_are_unique_and_staged(template: dict[str, Any]) -> None:
    names = [props["AlarmName"]["Fn::Sub"] for props in alarms(template).values()]
    assert len(names) == len(set(names))
    assert all(name.startswith("42min-${Stage}-") for name in names)


def watched(template: dict[str, Any]) -> set[tuple[str, str]]:
    return {(ns, name) for props in alarms(template).values() for ns, name, _ in alarm_metrics(props)}


def test_required_alarms_exist(template: dict[str, Any]) -> None:
    assert {
        ("AWS/ApiGateway", "5xx"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("FortyTwoMin", "WebhookDeliveryAttempts"),
        ("FortyTwoMin", "RateLimitFailOpen"),
    } <= watched(template)
    latency = next(p for p in alarms(template).values() if p.get("MetricName") == "Latency")
    assert latency["ExtendedStatistic"] == "p99"


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_error_and_throttle_alarms(template: dict[str, Any], metric: str) -> None:
    covered = {
        dims["FunctionName"]["Ref"]
        for props in alarms(template).values()
        for ns, name, dims in alarm_metrics(props)
        if ns == "AWS/Lambda" and name == metric
    }
    assert covered == set(functions(template))


def test_table_throttles_system_errors_and_delivery_backlog_are_watched(template: dict[str, Any]) -> None:
    """Issue 17 §2: DynamoDB ThrottledRequests and SystemErrors (per operation: every operation
    the store calls), and a backlog of DUE deliveries (visible messages; parked retries are not)."""
    import re

    from tests.support import aws

    store = aws.ROOT / "layers" / "common" / "fortytwo" / "store"
    used = {
        "".join(part.title() for part in name.split("_"))
        for path in store.glob("*.py")
        for name in re.findall(
            r"\.(get_item|batch_get_item|query|put_item|update_item|delete_item|"
            r"transact_write_items|batch_write_item|transact_get_items)\(",
            path.read_text(),
        )
    }
    for metric in ("ThrottledRequests", "SystemErrors"):
        operations = {
            dims["Operation"]
            for props in alarms(template).values()
            for ns, name, dims in alarm_metrics(props)
            if (ns, name) == ("AWS/DynamoDB", metric) and dims["TableName"] == {"Ref": "Table"}
        }
        assert used <= operations, (metric, sorted(used - operations))
    (backlog,) = [
        props
        for props in alarms(template).values()
        for ns, name, dims in alarm_metrics(props)
        if ns == "AWS/SQS" and dims["QueueName"] == {"Fn::GetAtt": ["DeliveryQueue", "QueueName"]}
    ]
    assert backlog["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert backlog["Threshold"] == {"Ref": "DeliveryBacklogThreshold"}


def test_dead_letter_queue_is_watched(template: dict[str, Any]) -> None:
    queues = {
        dims["QueueName"]["Fn::GetAtt"][0]
        for props in alarms(template).values()
        for ns, _, dims in alarm_metrics(props)
        if ns == "AWS/SQS"
    }
    assert {"DeliveryDeadLetterQueue", "FanoutFailureQueue"} <= queues


def test_fail_open_alarm_covers_every_api_function(template: dict[str, Any]) -> None:
    """Powertools adds the `service` dimension, so the alarm must name each API function's service."""
    services = {
        props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
        for props in functions(template).values()
        if any(e["Type"] == "HttpApi" for e in props["Events"].values())
    }
    assert services == API_SERVICES
    alarmed = {
        dims["service"]
        for props in alarms(template).values()
        for _, name, dims in alarm_metrics(props)
        if name == "RateLimitFailOpen"
    }
    assert alarmed == services


def test_webhook_failure_alarm_watches_the_delivery_worker(template: dict[str, Any]) -> None:
    worker = functions(template)["WebhookDeliveryFunction"]
    service = worker["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    series = [
        dims
        for props in alarms(template).values()
        for _, name, dims in alarm_metrics(props)
        if name == "WebhookDeliveryAttempts"
    ]
    assert series and all(d["service"] == service and d["attempt"] == "1" for d in series)
    assert {d["outcome"] for d in series} == {"succeeded", "retry_scheduled", "endpoint_gone", "exhausted"}


def test_outcome_labels_match_the_delivery_worker() -> None:
    """The alarm's outcome values are the labels the worker emits (a renamed label would blind it)."""
    worker = (
        "functions/webhook_delivery/app.py",
        "layers/common/fortytwo/services/deliveries.py",
        "layers/common/fortytwo/domain/webhooks/attempts.py",
    )
    source = "\n".join((aws.ROOT / path).read_text() for path in worker)
    assert 'count_metric("WebhookDeliveryAttempts"' in source
    for label in ("succeeded", "retry_scheduled", "endpoint_gone", "exhausted"):
        assert f'"{label}"' in source, label


def dashboard_body(template: dict[str, Any]) -> dict[str, Any]:
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    return json.loads(substitute(body))


def test_dashboard_is_valid_json_and_shows_every_alarm(template: dict[str, Any]) -> None:
    dashboard_body(template)
    raw = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    shown = set(re.findall(r":alarm:\$\{([A-Za-z0-9]+)\}", raw))
    assert shown == set(alarms(template))


def test_dashboard_references_only_existing_resources(template: dict[str, Any]) -> None:
    raw = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", raw) if not m.startswith("AWS::")}
    assert names <= set(template["Resources"]) | set(template["Parameters"])


def test_outputs(template: dict[str, Any]) -> None:
    expected = {"ApiUrl", "TableName", "DeliveryQueueUrl", "DashboardName", "DashboardUrl"}
    assert expected <= set(template["Outputs"])
