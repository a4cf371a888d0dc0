"""The schema parts of the structural kinds: plugin sets and access policies."""

from __future__ import annotations

from archctl.schemas.parts import (
    _INTERVAL,
    _PATH,
    _SEMVER,
    Schema,
    _closed,
    _declarations,
    _doc,
    _mapping,
    _one_of_keys,
    _ref,
    _strings,
)


def _plugins() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    deps = {
        "requires": _doc("Plugins this one needs: name -> constraint.", _ref("constraints")),
        "optional": _doc("Used when present, never pulled in.", _ref("constraints")),
        "conflicts": _doc("Plugins that must not be installed with it.", _ref("constraints")),
    }
    defs: dict[str, Schema] = {
        "semver": _doc("A SemVer 2.0 version.", {"type": "string", "pattern": _SEMVER}),
        "constraints": _mapping(
            _doc(
                "npm/Cargo-style constraint: ^1.2, ~1.2.3, >=1.0, <2, 1.x, *, a || b.",
                {"type": "string", "minLength": 1},
            ),
            {"minLength": 1},
        ),
        "versionDetails": {"oneOf": [{"type": "null"}, _closed(deps)]},
        "plugin": _closed(
            {
                "version": _ref("semver"),
                "versions": _doc(
                    "Candidate versions (a registry): version -> dependencies.",
                    _mapping(_ref("versionDetails"), _ref("semver"), minProperties=1),
                ),
                **deps,
                "description": _ref("description"),
            },
            description="A plugin: one version or several candidates, plus dependencies.",
            oneOf=_one_of_keys("version", "versions"),
        ),
    }
    props: dict[str, Schema] = {
        "plugins": _doc("Plugins by name.", _mapping(_ref("plugin"), {"minLength": 1})),
        "install": _doc("Roots to install; default every plugin.", _strings(uniqueItems=True)),
    }
    return defs, props, ["plugins"]


def _policy() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    decision: Schema = {"enum": ["allow", "deny", "none"]}
    defs: dict[str, Schema] = {
        "band": _closed(
            {
                "over": _doc(
                    "The numeric attribute the band reads.", {"type": "string", "pattern": _PATH}
                ),
                "levels": _doc(
                    "Level -> interval, '[' ']' closed and '(' ')' open, e.g. \"(0.3, 0.7]\".",
                    _mapping({"type": "string", "pattern": _INTERVAL}, minProperties=1),
                ),
            },
            ["over", "levels"],
            description="Named numeric levels, usable in expressions as an enum.",
        ),
        "rule": _closed(
            {
                "id": {"type": "string", "minLength": 1},
                "effect": {"enum": ["allow", "deny"]},
                "when": _ref("condition"),
                "description": _ref("description"),
            },
            ["id", "effect"],
        ),
        "assertion": _closed(
            {
                "name": {"type": "string", "minLength": 1},
                "always": _doc("Decision every matching request gets.", decision),
                "never": _doc("Decision no matching request gets.", decision),
                "when": _ref("condition"),
            },
            ["name"],
            description="A claim over all requests: name plus exactly one of always/never.",
            oneOf=_one_of_keys("always", "never"),
        ),
    }
    props: dict[str, Schema] = {
        "attributes": _declarations(
            "Request attributes (dotted paths allowed)", {"pattern": _PATH}
        ),
        "bands": _mapping(_ref("band"), {"pattern": _PATH}),
        "combine": {"enum": ["deny-overrides", "permit-overrides", "first-applicable"]},
        "default": _doc("Decision when no rule applies; none means no decision.", decision),
        "rules": {"type": "array", "items": _ref("rule")},
        "assert": {"type": "array", "items": _ref("assertion")},
    }
    return defs, props, []
