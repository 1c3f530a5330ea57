"""A YAML loader that understands CloudFormation's short intrinsic tags (!Ref, !GetAtt, !Sub, …).

Short tags are turned into their long JSON form (`!Ref X` → `{"Ref": "X"}`, `!Sub s` →
`{"Fn::Sub": s}`), so the rest of the devstack only deals with one representation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class CfnLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation tags; dates stay strings as CloudFormation reads them."""


# CloudFormation reads `2010-09-09` as text; PyYAML would make it a date.
CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_node(loader: CfnLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _construct_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # `!GetAtt Res.Attr.Sub` splits at the first dot only: attributes may contain dots.
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_cfn_yaml(text: str) -> Any:
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader


def load_cfn_file(path: Path) -> Any:
    return load_cfn_yaml(path.read_text(encoding="utf-8"))
