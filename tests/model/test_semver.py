"""npm range semantics, row by row: (range, version, expected), written from node-semver's
documented rules (https://github.com/npm/node-semver#ranges), not from archctl's code.

The rows cover every rule the plugin resolver relies on: comparators, caret, tilde,
x-ranges, partial versions, hyphen ranges, ``||``, archctl's ``,`` for "and", pre-release
admission (a pre-release matches only through a comparator with a pre-release on the same
major.minor.patch), pre-release precedence, and build metadata (ignored everywhere).
"""

from __future__ import annotations

import pytest

from archctl.model.semver import parse_range, parse_version

ROWS: list[tuple[str, str, bool]] = [
    # plain comparators
    ("1.2.3", "1.2.3", True),
    ("1.2.3", "1.2.4", False),
    ("=1.2.3", "1.2.3", True),
    ("=1.2.3", "1.2.2", False),
    ("v1.2.3", "1.2.3", True),
    ("=v1.2.3", "1.2.3", True),
    (">1.2.3", "1.2.4", True),
    (">1.2.3", "1.2.3", False),
    (">=1.2.3", "1.2.3", True),
    (">=1.2.3", "1.2.2", False),
    ("<1.2.3", "1.2.2", True),
    ("<1.2.3", "1.2.3", False),
    ("<=1.2.3", "1.2.3", True),
    ("<=1.2.3", "1.2.4", False),
    (">= 1.2.3", "1.2.3", True),
    ("< 2.0.0", "1.9.9", True),
    (">=1.0.0 <2.0.0", "1.5.0", True),
    (">=1.0.0 <2.0.0", "2.0.0", False),
    (">=1.0.0 <2.0.0", "0.9.9", False),
    (">1.0.0 <=1.0.0", "1.0.0", False),
    # archctl's comma is "and"
    (">=1.0, <2", "1.9.0", True),
    (">=1.0, <2", "2.0.0", False),
    (">=1.0, <2", "0.9.0", False),
    (">=2.0, <3.0", "2.1.0", True),
    (">=2.0, <3.0", "3.0.0", False),
    # alternatives
    ("1.x || >=2.5.0", "1.2.3", True),
    ("1.x || >=2.5.0", "2.5.0", True),
    ("1.x || >=2.5.0", "2.4.9", False),
    ("<1.0.0 || >=3.0.0", "2.0.0", False),
    ("<1.0.0 || >=3.0.0", "0.5.0", True),
    ("^1 || ^3", "3.1.0", True),
    ("^1 || ^3", "2.1.0", False),
    ("1.2.3 || 1.2.5", "1.2.4", False),
    ("1.2.3 || 1.2.5", "1.2.5", True),
    # x-ranges and partial versions
    ("*", "0.0.0", True),
    ("*", "99.99.99", True),
    ("x", "1.2.3", True),
    ("X", "1.2.3", True),
    ("1.x", "1.0.0", True),
    ("1.x", "1.99.0", True),
    ("1.x", "2.0.0", False),
    ("1.x", "0.9.0", False),
    ("1", "1.4.0", True),
    ("1", "2.0.0", False),
    ("1.2", "1.2.9", True),
    ("1.2", "1.3.0", False),
    ("1.2.x", "1.2.0", True),
    ("1.2.x", "1.3.0", False),
    ("1.2.*", "1.2.7", True),
    ("1.X.x", "1.5.0", True),
    (">1", "1.9.9", False),
    (">1", "2.0.0", True),
    (">1.2", "1.2.9", False),
    (">1.2", "1.3.0", True),
    (">=1.2", "1.2.0", True),
    (">=1.2", "1.1.9", False),
    (">=1", "1.0.0", True),
    ("<1.2", "1.1.9", True),
    ("<1.2", "1.2.0", False),
    ("<1", "0.9.9", True),
    ("<1", "1.0.0", False),
    ("<=1.2", "1.2.9", True),
    ("<=1.2", "1.3.0", False),
    ("<=1", "1.9.9", True),
    ("<=1", "2.0.0", False),
    ("=1.2", "1.2.5", True),
    ("=1.2", "1.3.0", False),
    (">*", "1.0.0", False),
    ("<*", "0.0.0", False),
    (">=*", "1.0.0", True),
    # caret
    ("^1.2.3", "1.2.3", True),
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "1.2.2", False),
    ("^1.2.3", "2.0.0", False),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.2.3", "0.2.2", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^1.2", "1.2.0", True),
    ("^1.2", "1.9.0", True),
    ("^1.2", "1.1.9", False),
    ("^1.2", "2.0.0", False),
    ("^1", "1.0.0", True),
    ("^1", "2.0.0", False),
    ("^0.2", "0.2.5", True),
    ("^0.2", "0.3.0", False),
    ("^0.0", "0.0.9", True),
    ("^0.0", "0.1.0", False),
    ("^0", "0.9.9", True),
    ("^0", "1.0.0", False),
    ("^0.x", "0.5.0", True),
    ("^1.x", "1.5.0", True),
    ("^1.x", "2.0.0", False),
    ("^1.2.x", "1.9.0", True),
    ("^1.2.x", "1.1.0", False),
    ("^0.0.x", "0.0.5", True),
    ("^0.0.x", "0.1.0", False),
    ("^ 1.2.3", "1.3.0", True),
    ("^*", "3.0.0", True),
    # tilde
    ("~1.2.3", "1.2.3", True),
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1.2.3", "1.2.2", False),
    ("~1.2", "1.2.0", True),
    ("~1.2", "1.2.9", True),
    ("~1.2", "1.3.0", False),
    ("~1", "1.9.0", True),
    ("~1", "2.0.0", False),
    ("~0.2.3", "0.2.4", True),
    ("~0.2.3", "0.3.0", False),
    ("~0", "0.9.0", True),
    ("~>1.2.3", "1.2.5", True),
    ("~>1.2.3", "1.3.0", False),
    ("~ 1.2", "1.2.4", True),
    # hyphen ranges
    ("1.2.3 - 2.3.4", "1.2.3", True),
    ("1.2.3 - 2.3.4", "2.3.4", True),
    ("1.2.3 - 2.3.4", "2.3.5", False),
    ("1.2.3 - 2.3.4", "1.2.2", False),
    ("1.2 - 2.3.4", "1.2.0", True),
    ("1.2 - 2.3.4", "1.1.9", False),
    ("1.2.3 - 2.3", "2.3.9", True),
    ("1.2.3 - 2.3", "2.4.0", False),
    ("1.2.3 - 2", "2.9.9", True),
    ("1.2.3 - 2", "3.0.0", False),
    ("* - 2", "0.0.1", True),
    ("1.0.0 - 2.0.0, <1.5", "1.4.0", True),
    ("1.0.0 - 2.0.0, <1.5", "1.6.0", False),
    # pre-releases: admitted only by a comparator with a pre-release on the same triple
    ("<1.2.0-beta", "1.2.0-alpha", True),
    ("<1.2.0-beta", "1.2.0-beta", False),
    ("<1.2.0-beta", "1.2.0-gamma", False),
    ("<1.2.0-beta", "1.1.9", True),
    ("<1.2.0-beta", "1.2.0", False),
    ("<=1.2.0-beta", "1.2.0-beta", True),
    ("<=1.2.0-beta", "1.2.0-beta.1", False),
    ("<=1.2.0-beta", "1.2.0-alpha.9", True),
    ("<2.0.0", "2.0.0-beta", False),
    ("<2.0.0", "1.9.0-beta", False),
    ("<=2.0.0", "2.0.0-rc.1", False),
    ("<2", "2.0.0-beta", False),
    (">1.0.0", "1.5.0-beta", False),
    (">=1.2.3-alpha", "1.2.3-beta", True),
    (">=1.2.3-alpha", "1.2.3", True),
    (">=1.2.3-alpha", "1.2.4-beta", False),
    (">=1.2.3-alpha", "1.2.4", True),
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    (">1.2.3-alpha.3", "1.2.3-alpha.3", False),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    (">1.2.3-alpha.3", "3.4.5", True),
    ("=1.2.3-beta", "1.2.3-beta", True),
    ("1.2.3-beta", "1.2.3-beta", True),
    ("1.2.3-beta", "1.2.3", False),
    ("*", "1.2.3-beta", False),
    ("1.x", "1.2.3-beta", False),
    ("^1.2.3", "1.3.0-beta", False),
    ("^1.2.3-beta.2", "1.2.3-beta.4", True),
    ("^1.2.3-beta.2", "1.2.3-beta.1", False),
    ("^1.2.3-beta.2", "1.2.4-beta.2", False),
    ("^1.2.3-beta.2", "1.9.0", True),
    ("^1.2.3-beta.2", "2.0.0-beta.1", False),
    ("^0.0.3-beta", "0.0.3-pr.2", True),
    ("^0.0.3-beta", "0.0.4", False),
    ("~1.2.3-beta.2", "1.2.3-beta.4", True),
    ("~1.2.3-beta.2", "1.2.4-beta.2", False),
    ("~1.2.3-beta.2", "1.2.9", True),
    ("1.2.3-beta - 2.0.0", "1.2.3-rc", True),
    ("1.2.3 - 2.0.0-beta", "2.0.0-alpha", True),
    ("1.2.3 - 2.0.0-beta", "2.0.0", False),
    (">=1.0.0 <2.0.0-0", "2.0.0-0", False),
    ("<2.0.0-0", "1.9.9", True),
    (">=1.0.0-rc.1 || 2.0.0-rc.1", "2.0.0-rc.1", True),
    ("^1.0.0-0", "1.0.0-alpha", True),
    # node-semver: >=0.0.0 is *, and a range with a * alternative is *
    (">=0.0.0 <=0.0.0-beta", "0.0.0-alpha", True),
    ("1.2.3-beta || *", "1.2.3-beta", False),
    (">1.0.2-alpha.1 || >=0.0", "1.0.2-beta.11", False),
    (">1.0.2-alpha.1 || >=0.0.1", "1.0.2-beta.11", True),
    # pre-release precedence (SemVer 2.0 section 11)
    (">1.0.0-alpha", "1.0.0-alpha.1", True),
    (">1.0.0-alpha.1", "1.0.0-alpha.beta", True),
    (">1.0.0-alpha.beta", "1.0.0-beta", True),
    (">1.0.0-beta", "1.0.0-beta.2", True),
    (">1.0.0-beta.2", "1.0.0-beta.11", True),
    (">1.0.0-beta.11", "1.0.0-rc.1", True),
    (">1.0.0-rc.1", "1.0.0", True),
    ("<1.0.0-alpha.beta", "1.0.0-alpha.1", True),
    ("<1.0.0-beta.11", "1.0.0-beta.2", True),
    ("<1.0.0-1", "1.0.0-alpha", False),
    ("<1.0.0-alpha", "1.0.0-1", True),
    ("<1.0.0-rc", "1.0.0-RC", True),
    # build metadata is ignored for matching and precedence
    ("1.2.3", "1.2.3+build", True),
    ("=1.2.3", "1.2.3+build.5", True),
    ("1.2.3+other", "1.2.3", True),
    ("1.2.3+other", "1.2.3+build", True),
    (">1.2.3", "1.2.3+build", False),
    ("<=1.2.3", "1.2.3+build", True),
    ("^1.2.3+build", "1.3.0", True),
    ("^1.2.3", "1.2.3+b", True),
    ("~1.2.3", "1.2.3+zzz", True),
    ("1.2.3-beta", "1.2.3-beta+exp.sha.5114f85", True),
    ("<1.2.3", "1.2.3-beta+b", False),
    (">=1.2.3-beta+x", "1.2.3-beta", True),
]


@pytest.mark.parametrize(("text", "version", "expected"), ROWS)
def test_npm_range_semantics(text: str, version: str, expected: bool) -> None:
    assert parse_range(text).match(parse_version(version)) is expected


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(ROWS) >= 150
    assert len({(text, version) for text, version, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("^1.2.3", ">=1.2.3 <2.0.0-0"),
        ("^0.0.3", ">=0.0.3 <0.0.4-0"),
        ("~1.2", ">=1.2.0 <1.3.0-0"),
        ("1.x", ">=1.0.0 <2.0.0-0"),
        ("<=1.2", "<1.3.0-0"),
        (">1", ">=2.0.0"),
        ("1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"),
        ("*", "*"),
        (">=1.0, <2", ">=1.0.0 <2.0.0-0"),
        ("1.2.3 || ^2", "=1.2.3 || >=2.0.0 <3.0.0-0"),
    ],
)
def test_sugar_expands_as_node_semver_prints_it(text: str, canonical: str) -> None:
    assert parse_range(text).canonical == canonical


def test_precedence_follows_semver_and_ignores_build() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
        "2.0.0",
    ]
    keys = [parse_version(text).key for text in ordered]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert parse_version("1.2.3+a").key == parse_version("1.2.3+b").key
    assert str(parse_version("1.2.3-rc.1+b.7")) == "1.2.3-rc.1+b.7"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "^",
        ">=",
        "1.2.3.4",
        "01.2.3",
        ">=1.0,",
        "abc",
        "1.2.3 - ",
        "1.0.0 - 2.0.0 - 3.0.0",
        "~>",
    ],
)
def test_bad_ranges_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_range(text)


@pytest.mark.parametrize(
    "text", ["1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "v1.2.3"]
)
def test_bad_versions_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_version(text)
