"""The parts of template.yaml the local stack wires: parameters, functions and their triggers,
tables, queues — plus the intrinsic-function resolver for the values that need them.

Values that depend only on parameters (table and queue names, timeouts, batch sizes) are
resolved when the template is loaded. Function environments can reference emulated resources
(a queue's URL, a stream's ARN), so they stay raw until `Template.resolver(physical)` is given
what the emulator created.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fortytwo_local.devstack.cfn_yaml import load_cfn_file

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_STACK_NAME = "42min-local"

# SAM defaults when neither the function nor Globals set them.
SAM_DEFAULT_TIMEOUT = 3
SAM_DEFAULT_MEMORY = 128
LAMBDA_STREAM_DEFAULT_BATCH = 100
LAMBDA_SQS_DEFAULT_BATCH = 10
SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_RETENTION = 345600


class TemplateError(ValueError):
    """The template uses something the local stack cannot model; the message names where."""


class _NoValue:
    """AWS::NoValue: removes the property (or list element) that resolves to it."""


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpRoute:
    function_id: str
    event_name: str
    method: str | None  # upper case; "ANY" matches every method; None for $default
    path: str | None  # None: the $default catch-all route

    @property
    def route_key(self) -> str:
        return "$default" if self.path is None else f"{self.method} {self.path}"


@dataclass(frozen=True)
class DynamoDBEventSource:
    function_id: str
    event_name: str
    stream: Any  # raw expression; usually !GetAtt Table.StreamArn
    table_id: str | None  # logical id of the table whose stream this is, when derivable
    starting_position: str
    batch_size: int
    max_batching_window_s: float
    filters: tuple[dict[str, Any], ...]
    report_batch_item_failures: bool
    bisect_on_error: bool
    maximum_retry_attempts: int  # -1: retry until the record expires (forever, locally)
    enabled: bool = True
    # DestinationConfig.OnFailure: the queue that gets a record of each batch given up on.
    on_failure_queue_id: str | None = None


@dataclass(frozen=True)
class SqsEventSource:
    function_id: str
    event_name: str
    queue: Any  # raw expression; usually !GetAtt Queue.Arn
    queue_id: str | None
    batch_size: int
    max_batching_window_s: float
    report_batch_item_failures: bool
    enabled: bool = True
    maximum_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency


@dataclass
class FunctionDef:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    module_file: Path
    handler_attr: str
    timeout_s: int
    memory_mb: int
    environment: dict[str, Any]  # raw values (Globals merged, function wins)
    reserved_concurrency: int | None = None  # ReservedConcurrentExecutions
    http_routes: list[HttpRoute] = field(default_factory=list)
    dynamodb_events: list[DynamoDBEventSource] = field(default_factory=list)
    sqs_events: list[SqsEventSource] = field(default_factory=list)


@dataclass
class TableDef:
    logical_id: str
    name: str
    attribute_definitions: list[dict[str, str]]
    key_schema: list[dict[str, str]]
    global_secondary_indexes: list[dict[str, Any]]
    local_secondary_indexes: list[dict[str, Any]]
    ttl_attribute: str | None
    stream_view_type: str | None

    @property
    def hash_key(self) -> str:
        return next(k["AttributeName"] for k in self.key_schema if k["KeyType"] == "HASH")

    @property
    def range_key(self) -> str | None:
        return next((k["AttributeName"] for k in self.key_schema if k["KeyType"] == "RANGE"), None)


@dataclass
class QueueDef:
    logical_id: str
    name: str
    fifo: bool
    visibility_timeout_s: int
    retention_s: int
    delay_s: int
    receive_wait_s: int
    dead_letter_queue_id: str | None
    max_receive_count: int | None


@dataclass(frozen=True)
class PhysicalResource:
    """What `!Ref` and `!GetAtt` give for an emulated resource."""

    ref: str
    attributes: dict[str, str]


@dataclass
class Template:
    path: Path
    base_dir: Path
    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, Parameter]
    parameter_values: dict[str, str]
    conditions: dict[str, Any]
    globals_function: dict[str, Any]
    functions: dict[str, FunctionDef]
    tables: dict[str, TableDef]
    queues: dict[str, QueueDef]
    resources: dict[str, dict[str, Any]]  # every active resource, raw

    @property
    def http_routes(self) -> list[HttpRoute]:
        return [route for fn in self.functions.values() for route in fn.http_routes]

    def resolver(self, physical: dict[str, PhysicalResource] | None = None) -> Resolver:
        return Resolver(
            self.parameter_values,
            self.conditions,
            self.region,
            self.account_id,
            self.stack_name,
            physical or {},
        )

    def queues_in_creation_order(self) -> list[QueueDef]:
        """Dead-letter queues before the queues that redrive into them."""
        ordered: list[QueueDef] = []
        visiting: set[str] = set()

        def visit(queue: QueueDef) -> None:
            if queue in ordered:
                return
            if queue.logical_id in visiting:
                raise TemplateError(f"Resources.{queue.logical_id}: redrive policies form a cycle")
            visiting.add(queue.logical_id)
            if queue.dead_letter_queue_id is not None:
                visit(self.queues[queue.dead_letter_queue_id])
            ordered.append(queue)

        for queue in self.queues.values():
            visit(queue)
        return ordered


class Resolver:
    """Evaluates CloudFormation intrinsic functions against parameters and emulated resources."""

    def __init__(
        self,
        parameter_values: dict[str, str],
        conditions: dict[str, Any],
        region: str,
        account_id: str,
        stack_name: str,
        physical: dict[str, PhysicalResource],
    ) -> None:
        self.parameter_values = parameter_values
        self.conditions = conditions  # raw expressions, evaluated on first use
        self._condition_values: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self.physical = physical
        self.pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def resolve(self, value: Any, where: str = "") -> Any:
        if isinstance(value, list):
            items = [self.resolve(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg, where)
            if key == "Condition":
                return self.condition(arg, where)
            if key.startswith("Fn::"):
                return self._function(key, arg, where)
        resolved = {k: self.resolve(v, f"{where}.{k}") for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def resolve_str(self, value: Any, where: str) -> str:
        resolved = self.resolve(value, where)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, int | float | str):
            return str(resolved)
        raise TemplateError(f"{where}: expected a string, got {resolved!r}")

    def _ref(self, name: Any, where: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameter_values:
            return self.parameter_values[name]
        if name in self.physical:
            return self.physical[name].ref
        raise TemplateError(f"{where}: !Ref {name} names nothing the local stack emulates")

    def _get_att(self, arg: Any, where: str) -> str:
        if isinstance(arg, str):
            resource, _, attribute = arg.partition(".")
        else:
            resource, attribute = arg[0], self.resolve_str(arg[1], where)
        physical = self.physical.get(resource)
        if physical is None or attribute not in physical.attributes:
            raise TemplateError(f"{where}: !GetAtt {resource}.{attribute} is not emulated by the local stack")
        return physical.attributes[attribute]

    def condition(self, name: str, where: str = "") -> bool:
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self.conditions:
            raise TemplateError(f"{where}: unknown condition {name}")
        if name in self._evaluating:
            raise TemplateError(f"Conditions.{name}: refers to itself")
        self._evaluating.add(name)
        value = self._truth(self.conditions[name], f"Conditions.{name}")
        self._evaluating.discard(name)
        self._condition_values[name] = value
        return value

    def _function(self, key: str, arg: Any, where: str) -> Any:
        here = f"{where}.{key}"
        if key == "Fn::GetAtt":
            return self._get_att(arg, here)
        if key == "Fn::Sub":
            return self._sub(arg, here)
        if key == "Fn::Select":
            index = int(self.resolve(arg[0], here))
            items = self.resolve(arg[1], here)
            if not isinstance(items, list) or not 0 <= index < len(items):
                raise TemplateError(f"{here}: index {index} out of range")
            return items[index]
        if key == "Fn::Split":
            return self.resolve_str(arg[1], here).split(self.resolve_str(arg[0], here))
        if key == "Fn::Join":
            items = self.resolve(arg[1], here)
            return self.resolve_str(arg[0], here).join(self.resolve_str(v, here) for v in items)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(name, here) else when_false, here)
        if key == "Fn::Equals":
            return self.resolve(arg[0], here) == self.resolve(arg[1], here)
        if key == "Fn::Not":
            return not self._truth(arg[0], here)
        if key == "Fn::And":
            return all(self._truth(v, here) for v in arg)
        if key == "Fn::Or":
            return any(self._truth(v, here) for v in arg)
        raise TemplateError(f"{where}: {key} is not supported by the local stack")

    def _truth(self, value: Any, where: str) -> bool:
        resolved = self.resolve(value, where)
        if not isinstance(resolved, bool):
            raise TemplateError(f"{where}: expected a condition, got {resolved!r}")
        return resolved

    _SUB_VAR = re.compile(r"\$\{([^}]*)\}")

    def _sub(self, arg: Any, where: str) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve_str(v, where) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is written out as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return variables[name]
            if "." in name and name.split(".", 1)[0] not in self.parameter_values:
                return self._get_att(name, where)
            return self.resolve_str({"Ref": name}, where)

        return self._SUB_VAR.sub(replace, text)


# --- loading -------------------------------------------------------------------------------------


def load_template(
    path: Path,
    parameter_overrides: dict[str, str] | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    stack_name: str = DEFAULT_STACK_NAME,
) -> Template:
    path = Path(path).resolve()
    doc = load_cfn_file(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")

    parameters = _parse_parameters(doc.get("Parameters") or {})
    values = _parameter_values(parameters, parameter_overrides or {}, path)

    conditions = dict(doc.get("Conditions") or {})
    base = Resolver(values, conditions, region, account_id, stack_name, {})
    resources = {
        logical_id: resource
        for logical_id, resource in doc["Resources"].items()
        if "Condition" not in resource or base.condition(resource["Condition"], f"Resources.{logical_id}")
    }
    globals_function = ((doc.get("Globals") or {}).get("Function")) or {}

    template = Template(
        path=path,
        base_dir=path.parent,
        region=region,
        account_id=account_id,
        stack_name=stack_name,
        parameters=parameters,
        parameter_values=values,
        conditions=conditions,
        globals_function=globals_function,
        functions={},
        tables={},
        queues={},
        resources=resources,
    )
    for logical_id, resource in resources.items():
        _add_resource(template, logical_id, resource, base)
    _check_dead_letter_targets(template)
    return template


def _parameter_values(
    parameters: dict[str, Parameter], overrides: dict[str, str], path: Path
) -> dict[str, str]:
    """Defaults, then overrides; every parameter must end up with an allowed value."""
    values = {name: p.default for name, p in parameters.items() if p.default is not None}
    for name, value in overrides.items():
        if name not in parameters:
            raise TemplateError(f"Parameters.{name}: no such parameter in {path.name}")
        values[name] = str(value)
    missing = sorted(set(parameters) - set(values))
    if missing:
        raise TemplateError(f"Parameters.{missing[0]}: no default and no value given")
    for name, value in values.items():
        allowed = parameters[name].allowed_values
        if allowed and value not in allowed:
            raise TemplateError(f"Parameters.{name}: {value!r} is not one of {list(allowed)}")
    return values


def _add_resource(template: Template, logical_id: str, resource: dict[str, Any], base: Resolver) -> None:
    """Parse a table, queue or function into `template`; other resource types are not run locally."""
    kind = resource.get("Type")
    props = resource.get("Properties") or {}
    where = f"Resources.{logical_id}.Properties"
    if kind == "AWS::DynamoDB::Table":
        template.tables[logical_id] = _parse_table(logical_id, props, base, where, template.stack_name)
    elif kind == "AWS::SQS::Queue":
        template.queues[logical_id] = _parse_queue(logical_id, props, base, where, template.stack_name)
    elif kind == "AWS::Serverless::Function":
        template.functions[logical_id] = _parse_function(template, logical_id, props, base, where)


def _check_dead_letter_targets(template: Template) -> None:
    for queue in template.queues.values():
        if queue.dead_letter_queue_id is not None and queue.dead_letter_queue_id not in template.queues:
            raise TemplateError(
                f"Resources.{queue.logical_id}: dead-letter target "
                f"{queue.dead_letter_queue_id} is not a queue of this template"
            )


def _parse_parameters(raw: dict[str, Any]) -> dict[str, Parameter]:
    parameters = {}
    for name, spec in raw.items():
        default = spec.get("Default")
        parameters[name] = Parameter(
            name=name,
            type=str(spec.get("Type", "String")),
            default=None if default is None else _cfn_str(default),
            allowed_values=tuple(_cfn_str(v) for v in spec.get("AllowedValues") or ()),
        )
    return parameters


def _cfn_str(value: Any) -> str:
    """Parameter values are strings in CloudFormation; YAML may have read `true` or `30`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_cfn_str(v) for v in value)
    return str(value)


def _physical_name(
    props: dict[str, Any], key: str, resolver: Resolver, where: str, stack_name: str, logical_id: str
) -> str:
    if key in props:
        return resolver.resolve_str(props[key], f"{where}.{key}")
    return f"{stack_name}-{logical_id}"  # CloudFormation would add a random suffix


def _int(value: Any, resolver: Resolver, where: str) -> int:
    try:
        return int(resolver.resolve_str(value, where))
    except ValueError as exc:
        raise TemplateError(f"{where}: expected an integer") from exc


def _parse_table(
    logical_id: str, props: dict[str, Any], resolver: Resolver, where: str, stack_name: str
) -> TableDef:
    props = resolver.resolve(props, where)
    ttl = props.get("TimeToLiveSpecification") or {}
    stream = props.get("StreamSpecification") or {}
    if "KeySchema" not in props or "AttributeDefinitions" not in props:
        raise TemplateError(f"{where}: a table needs KeySchema and AttributeDefinitions")
    return TableDef(
        logical_id=logical_id,
        name=_physical_name(props, "TableName", resolver, where, stack_name, logical_id),
        attribute_definitions=list(props["AttributeDefinitions"]),
        key_schema=list(props["KeySchema"]),
        global_secondary_indexes=list(props.get("GlobalSecondaryIndexes") or []),
        local_secondary_indexes=list(props.get("LocalSecondaryIndexes") or []),
        ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") in (True, "true") else None,
        stream_view_type=stream.get("StreamViewType"),
    )


def _target_id(expr: Any, attribute: str) -> str | None:
    """The logical id behind `!GetAtt X.<attribute>` (or `!Ref X`), if that is the expression."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, arg),) = expr.items()
        if key == "Fn::GetAtt":
            resource, attr = arg.split(".", 1) if isinstance(arg, str) else (arg[0], arg[1])
            return resource if attr == attribute else None
        if key == "Ref" and isinstance(arg, str):
            return arg
    return None


def _parse_queue(
    logical_id: str, props: dict[str, Any], resolver: Resolver, where: str, stack_name: str
) -> QueueDef:
    fifo = resolver.resolve(props.get("FifoQueue", False), where) in (True, "true")
    name = _physical_name(props, "QueueName", resolver, where, stack_name, logical_id)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    redrive = props.get("RedrivePolicy")
    if isinstance(redrive, str):
        redrive = json.loads(redrive)
    dlq_id = max_receive = None
    if redrive:
        dlq_id = _target_id(redrive.get("deadLetterTargetArn"), "Arn")
        if dlq_id is None:
            raise TemplateError(
                f"{where}.RedrivePolicy.deadLetterTargetArn: use !GetAtt <Queue>.Arn "
                "of a queue in this template"
            )
        max_receive = _int(
            redrive.get("maxReceiveCount", 10), resolver, f"{where}.RedrivePolicy.maxReceiveCount"
        )
    return QueueDef(
        logical_id=logical_id,
        name=name,
        fifo=fifo,
        visibility_timeout_s=_int(props.get("VisibilityTimeout", SQS_DEFAULT_VISIBILITY), resolver, where),
        retention_s=_int(props.get("MessageRetentionPeriod", SQS_DEFAULT_RETENTION), resolver, where),
        delay_s=_int(props.get("DelaySeconds", 0), resolver, where),
        receive_wait_s=_int(props.get("ReceiveMessageWaitTimeSeconds", 0), resolver, where),
        dead_letter_queue_id=dlq_id,
        max_receive_count=max_receive,
    )


def _parse_function(
    template: Template, logical_id: str, props: dict[str, Any], resolver: Resolver, where: str
) -> FunctionDef:
    glob = template.globals_function

    def prop(key: str, default: Any = None) -> Any:
        return props.get(key, glob.get(key, default))

    code_uri = prop("CodeUri")
    if not isinstance(code_uri, str):
        raise TemplateError(f"{where}.CodeUri: the local stack needs a local folder")
    handler = resolver.resolve_str(prop("Handler"), f"{where}.Handler")
    module_path, _, handler_attr = handler.rpartition(".")
    if not module_path or not handler_attr:
        raise TemplateError(f"{where}.Handler: expected module.function, got {handler!r}")
    code_dir = (template.base_dir / code_uri).resolve()
    environment = dict(((glob.get("Environment") or {}).get("Variables")) or {})
    environment.update(((props.get("Environment") or {}).get("Variables")) or {})
    fn = FunctionDef(
        logical_id=logical_id,
        name=_physical_name(props, "FunctionName", resolver, where, template.stack_name, logical_id),
        code_dir=code_dir,
        handler=handler,
        module_file=code_dir / (module_path.replace(".", "/") + ".py"),
        handler_attr=handler_attr,
        timeout_s=_int(prop("Timeout", SAM_DEFAULT_TIMEOUT), resolver, f"{where}.Timeout"),
        memory_mb=_int(prop("MemorySize", SAM_DEFAULT_MEMORY), resolver, f"{where}.MemorySize"),
        environment=environment,
        reserved_concurrency=_optional_int(
            props.get("ReservedConcurrentExecutions"), resolver, f"{where}.ReservedConcurrentExecutions"
        ),
    )
    for event_name, event in (props.get("Events") or {}).items():
        _parse_event(fn, event_name, event or {}, resolver, f"{where}.Events.{event_name}")
    return fn


def _parse_event(fn: FunctionDef, name: str, event: dict[str, Any], resolver: Resolver, where: str) -> None:
    kind = event.get("Type")
    props = event.get("Properties") or {}
    if kind == "HttpApi":
        path = props.get("Path")
        method = props.get("Method")
        if path is None and method is None or path == "$default":
            fn.http_routes.append(HttpRoute(fn.logical_id, name, None, None))
            return
        if path is None:
            raise TemplateError(f"{where}.Properties.Path: an HttpApi route with a Method needs a Path")
        method = resolver.resolve_str(method or "ANY", where).upper()
        fn.http_routes.append(HttpRoute(fn.logical_id, name, method, resolver.resolve_str(path, where)))
    elif kind == "DynamoDB":
        fn.dynamodb_events.append(
            DynamoDBEventSource(
                **_polled_source(fn, name, props, LAMBDA_STREAM_DEFAULT_BATCH, resolver, where),
                stream=props.get("Stream"),
                table_id=_target_id(props.get("Stream"), "StreamArn"),
                starting_position=resolver.resolve_str(props.get("StartingPosition", "TRIM_HORIZON"), where),
                filters=_parse_filters(props.get("FilterCriteria"), resolver, where),
                bisect_on_error=resolver.resolve(props.get("BisectBatchOnFunctionError", False), where)
                in (True, "true"),
                maximum_retry_attempts=_int(props.get("MaximumRetryAttempts", -1), resolver, where),
                on_failure_queue_id=_on_failure_queue(props.get("DestinationConfig"), where),
            )
        )
    elif kind == "SQS":
        fn.sqs_events.append(
            SqsEventSource(
                **_polled_source(fn, name, props, LAMBDA_SQS_DEFAULT_BATCH, resolver, where),
                queue=props.get("Queue"),
                queue_id=_target_id(props.get("Queue"), "Arn"),
                maximum_concurrency=_optional_int(
                    (_mapping(resolver.resolve(props.get("ScalingConfig"), where))).get("MaximumConcurrency"),
                    resolver,
                    f"{where}.ScalingConfig.MaximumConcurrency",
                ),
            )
        )
    # Other event types (Schedule, Api, …) are not wired locally; the template has none today.


def _polled_source(
    fn: FunctionDef, name: str, props: dict[str, Any], default_batch: int, resolver: Resolver, where: str
) -> dict[str, Any]:
    """The properties every event source mapping (stream or queue) has alike."""
    return {
        "function_id": fn.logical_id,
        "event_name": name,
        "batch_size": _int(props.get("BatchSize", default_batch), resolver, where),
        "max_batching_window_s": float(
            resolver.resolve_str(props.get("MaximumBatchingWindowInSeconds", 0), where)
        ),
        "report_batch_item_failures": "ReportBatchItemFailures"
        in resolver.resolve(props.get("FunctionResponseTypes") or [], where),
        "enabled": resolver.resolve(props.get("Enabled", True), where) in (True, "true"),
    }


def _optional_int(value: Any, resolver: Resolver, where: str) -> int | None:
    resolved = resolver.resolve(value, where)
    return None if resolved is None or resolved is NO_VALUE else _int(resolved, resolver, where)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _on_failure_queue(config: Any, where: str) -> str | None:
    """The logical id of the SQS queue in DestinationConfig.OnFailure (the only kind modelled)."""
    destination = _mapping(_mapping(config).get("OnFailure")).get("Destination")
    if destination is None:
        return None
    queue_id = _target_id(destination, "Arn")
    if queue_id is None:
        raise TemplateError(f"{where}.DestinationConfig.OnFailure.Destination: expected !GetAtt <Queue>.Arn")
    return queue_id


def _parse_filters(criteria: Any, resolver: Resolver, where: str) -> tuple[dict[str, Any], ...]:
    if not criteria:
        return ()
    patterns = []
    for i, entry in enumerate(resolver.resolve(criteria, where).get("Filters") or []):
        pattern = entry.get("Pattern")
        try:
            patterns.append(json.loads(pattern) if isinstance(pattern, str) else dict(pattern))
        except (TypeError, ValueError) as exc:
            raise TemplateError(f"{where}.FilterCriteria.Filters[{i}].Pattern: not a JSON object") from exc
    return tuple(patterns)


def find_template(explicit: str | Path | None = None) -> Path:
    """The template to run: an explicit path, else the checkout this package is installed from
    (editable install), else the nearest template.yaml above the working directory."""
    if explicit:
        return Path(explicit).resolve()
    packaged = Path(__file__).resolve().parents[3] / "template.yaml"
    if packaged.is_file():
        return packaged
    cwd = Path.cwd().resolve()
    for folder in [cwd, *cwd.parents]:
        if (folder / "template.yaml").is_file():
            return folder / "template.yaml"
    raise TemplateError("template.yaml not found (run from the repository, or set FORTYTWO_TEMPLATE)")
