"""The combined schema (`archctl schema all`, specs/archctl.schema.json) for editors.

It must say exactly what the per-kind schemas say, for every document of every example,
and be committed up to date.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from archctl.schemas import KINDS, combined_json, combined_schema, schema_for
from tests.conftest import EXAMPLES, ROOT


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans (only true/false), as editors read specs: `on:` stays a key."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _messages(validator: Draft202012Validator, document: object) -> int:
    return len(list(validator.iter_errors(document)))


def test_combined_schema_is_valid_and_committed() -> None:
    Draft202012Validator.check_schema(combined_schema())
    committed = (ROOT / "specs" / "archctl.schema.json").read_text(encoding="utf-8")
    assert committed == combined_json(), (
        "regenerate: archctl schema all > specs/archctl.schema.json"
    )


def test_combined_schema_agrees_with_each_kind_schema() -> None:
    combined = Draft202012Validator(combined_schema())
    per_kind = {kind: Draft202012Validator(schema_for(kind)) for kind in KINDS}
    checked = 0
    for path in sorted(Path(EXAMPLES).glob("*.yaml")):
        for document in yaml.load_all(path.read_text(), Loader=Yaml12Loader):
            kind = document["kind"]
            assert _messages(per_kind[kind], document) == 0, path
            assert _messages(combined, document) == 0, path
            broken = {**document, "nodes": 5, "states": 5, "rules": 5, "plugins": 5}
            assert _messages(combined, broken) > 0
            checked += 1
    assert checked >= 10
    assert _messages(combined, {"kind": "deployment", "name": "x"}) > 0
