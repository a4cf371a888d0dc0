"""SemVer 2.0 versions and npm version ranges, matched exactly as node-semver matches them.

Why archctl owns this instead of using a library: the one it used (semantic-version) lets
``<2.0.0`` match ``2.0.0-beta`` and ``<1.2.0-beta`` match ``1.2.0-gamma``, and plugin
verdicts are only as true as the ranges under them. The rules are few and documented by
node-semver (https://github.com/npm/node-semver#ranges), so they are written down here once:

* Precedence is SemVer 2.0: major, minor, patch numerically, then a version with a
  pre-release is lower than the same version without; pre-release identifiers compare
  left to right, numeric ones numerically and below alphanumeric ones, alphanumeric ones in
  ASCII order, and a shorter list is lower when it is a prefix. Build metadata (``+...``)
  is ignored by precedence and by matching: ``1.2.3+build`` satisfies ``=1.2.3``.
* A range is alternatives joined by ``||``; an alternative is comparators joined by spaces
  (archctl also accepts Cargo's ``,``), all of which must hold. Sugar is expanded to plain
  comparators the way node-semver expands it: ``^1.2.3`` is ``>=1.2.3 <2.0.0-0``, ``~1.2``
  is ``>=1.2.0 <1.3.0-0``, ``1.x`` is ``>=1.0.0 <2.0.0-0``, ``<=1.2`` is ``<1.3.0-0``,
  ``1.2.3 - 2.3`` is ``>=1.2.3 <2.4.0-0`` and ``*`` matches every release.
* A version with a pre-release tag satisfies an alternative only if every comparator holds
  *and* some comparator carries a pre-release on the same major.minor.patch: ``1.2.3-beta``
  satisfies ``>=1.2.3-alpha`` but not ``>=1.2.0`` nor ``*``.
* Two node-semver normalisations are kept because they change answers: ``>=0.0.0`` is
  ``*`` (it drops out of its set), and a range with an alternative that is ``*`` is ``*``
  (so ``1.2.3-rc || *`` rejects ``1.2.3-rc``).

Parsing is strict SemVer 2.0 (no leading zeros in numbers or numeric pre-release
identifiers), with node-semver's tolerances: a leading ``v`` or ``=`` on a version in a
range, spaces between an operator and its version, and ``~>`` for ``~``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: One pre-release identifier as it sorts: numeric ones (0, n) below alphanumeric ones (1, s).
Identifier = tuple[int, int] | tuple[int, str]

_NUMBER = r"0|[1-9]\d*"
_IDENT = r"0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*"
_PRE = rf"(?:{_IDENT})(?:\.(?:{_IDENT}))*"
_BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_VERSION = re.compile(rf"({_NUMBER})\.({_NUMBER})\.({_NUMBER})(?:-({_PRE}))?(?:\+({_BUILD}))?")
_X = r"[xX*]|0|[1-9]\d*"
#: A partial version as ranges write it: ``1``, ``1.2``, ``1.x``, ``1.2.3-rc.1+b``.
_PARTIAL = re.compile(
    rf"v?\s*=?\s*({_X})(?:\.({_X})(?:\.({_X})(?:-({_PRE}))?(?:\+({_BUILD}))?)?)?",
)
_OPERATOR = re.compile(r"(<=|>=|<|>|=|~>|~|\^)?\s*")


def _identifiers(text: str | None) -> tuple[Identifier, ...]:
    if not text:
        return ()
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in text.split("."))


@dataclass(frozen=True)
class Version:
    """A SemVer 2.0 version; ``text`` is how it is written (``str()`` gives it back)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[Identifier, ...] = ()
    build: str = ""
    #: precedence: releases above their pre-releases; build metadata plays no part
    key: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        triple = (self.major, self.minor, self.patch)
        object.__setattr__(self, "key", (*triple, not self.prerelease, self.prerelease))

    @property
    def triple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(part[1]) for part in self.prerelease)
        return text + (f"+{self.build}" if self.build else "")


def parse_version(text: str) -> Version:
    """A full SemVer 2.0 version; ValueError when ``text`` is not one."""
    match = _VERSION.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text}' is not a SemVer version; write e.g. 1.2.0")
    major, minor, patch, pre, build = match.groups()
    return Version(int(major), int(minor), int(patch), _identifiers(pre), build or "")


@dataclass(frozen=True)
class Comparator:
    """``operator version``; operator one of ``<``, ``<=``, ``>``, ``>=``, ``=``."""

    operator: str
    version: Version

    def test(self, version: Version) -> bool:
        mine, theirs = self.version.key, version.key
        if self.operator == "=":
            return theirs == mine
        if self.operator == "<":
            return theirs < mine
        if self.operator == "<=":
            return theirs <= mine
        if self.operator == ">":
            return theirs > mine
        return theirs >= mine

    def __str__(self) -> str:
        return f"{self.operator}{self.version}"


@dataclass(frozen=True)
class Range:
    """Alternatives of comparator sets; an empty set matches every release (``*``)."""

    text: str
    alternatives: tuple[tuple[Comparator, ...], ...]

    def match(self, version: Version) -> bool:
        return any(_satisfies(comparators, version) for comparators in self.alternatives)

    def __str__(self) -> str:
        return self.text

    @property
    def canonical(self) -> str:
        """The expanded form, as node-semver prints it (``>=1.2.3 <2.0.0-0``)."""
        return " || ".join(" ".join(map(str, c)) or "*" for c in self.alternatives)


def _satisfies(comparators: tuple[Comparator, ...], version: Version) -> bool:
    if not all(comparator.test(version) for comparator in comparators):
        return False
    if not version.prerelease:
        return True
    # a pre-release is only admitted by a comparator that names one of the same release
    return any(c.version.prerelease and c.version.triple == version.triple for c in comparators)


_FROM_ZERO = Comparator(">=", Version(0, 0, 0))
_HINT = "write e.g. ^1.2, ~1.2.3, >=1.0, <2, 1.x, 1.2.3 - 2.0 or *"


def parse_range(text: str) -> Range:
    """An npm range, with ``,`` accepted as "and"; ValueError naming the bad part."""
    if not text.strip():
        raise ValueError(f"empty constraint; {_HINT}")
    alternatives: list[tuple[Comparator, ...]] = []
    for alternative in text.split("||"):
        comparators: list[Comparator] = []
        pieces = alternative.split(",")
        for piece in pieces:
            if not piece.strip() and (len(pieces) > 1 or "||" not in text):
                raise ValueError(f"'{text}' has an empty comparator; {_HINT}")
            comparators.extend(_conjunction(piece.strip(), text))
        # node-semver reads >=0.0.0 as * (so it drops out of a set, and 0.0.0-rc passes
        # ">=0.0.0 <=0.0.0-rc")
        alternatives.append(tuple(c for c in comparators if c != _FROM_ZERO))
    if len(alternatives) > 1 and () in alternatives:
        # ... and a range with a * alternative is just *, which admits no pre-release:
        # "1.2.3-rc || *" rejects 1.2.3-rc in npm, so it does here
        alternatives = [()]
    return Range(text, tuple(alternatives))


_HYPHEN = re.compile(r"(\S+)\s+-\s+(\S+)")


def _conjunction(piece: str, whole: str) -> list[Comparator]:
    """Comparators of one space-separated piece (or of one hyphen range)."""
    hyphen = _HYPHEN.fullmatch(piece)
    if hyphen is not None:
        return _lower(_partial(hyphen.group(1), whole)) + _upper(_partial(hyphen.group(2), whole))
    out: list[Comparator] = []
    # glue an operator to its version: ">= 1.2" is one comparator
    for token in re.sub(r"(<=|>=|~>|<|>|=|~|\^)\s+", r"\1", piece).split():
        operator_match = _OPERATOR.match(token)
        assert operator_match is not None  # the pattern accepts the empty prefix
        operator = operator_match.group(1) or ""
        out.extend(_expand(operator, _partial(token[operator_match.end() :], whole)))
    return out


@dataclass(frozen=True)
class _Partial:
    """A version with some parts missing or wildcards (None): ``1``, ``1.2``, ``1.x``."""

    major: int | None
    minor: int | None
    patch: int | None
    prerelease: tuple[Identifier, ...]

    @property
    def full(self) -> Version:
        assert self.major is not None and self.minor is not None and self.patch is not None
        return Version(self.major, self.minor, self.patch, self.prerelease)


def _at(major: int, minor: int, patch: int, pre: bool = False) -> Version:
    """A full version; ``pre`` adds the lowest pre-release tag, ``-0``."""
    return Version(major, minor, patch, ((0, 0),) if pre else ())


def _partial(text: str, whole: str) -> _Partial:
    match = _PARTIAL.fullmatch(text)
    if match is None:
        raise ValueError(f"'{whole}': '{text}' is not a version or version range; {_HINT}")
    parts: list[int | None] = []
    for group in match.groups()[:3]:
        wild = group is None or group in "xX*" or (parts and parts[-1] is None)
        parts.append(None if wild else int(group))
    pre = _identifiers(match.group(4)) if parts[2] is not None else ()
    return _Partial(parts[0], parts[1], parts[2], pre)


def _lower(p: _Partial) -> list[Comparator]:
    """The lower end of a hyphen range: ``1.2 - ...`` means ``>=1.2.0``."""
    if p.major is None:
        return []
    return [Comparator(">=", Version(p.major, p.minor or 0, p.patch or 0, p.prerelease))]


def _upper(p: _Partial) -> list[Comparator]:
    """The upper end of a hyphen range: ``... - 2.3`` means ``<2.4.0-0``."""
    if p.major is None:
        return []
    if p.minor is None:
        return [Comparator("<", _at(p.major + 1, 0, 0, pre=True))]
    if p.patch is None:
        return [Comparator("<", _at(p.major, p.minor + 1, 0, pre=True))]
    return [Comparator("<=", p.full)]


def _expand(operator: str, p: _Partial) -> list[Comparator]:
    """One written comparator as plain ones (node-semver's caret, tilde and x-range rules)."""
    if operator == "^":
        return _caret(p)
    if operator in ("~", "~>"):
        return _tilde(p)
    if p.major is None:  # *, x, >=*: everything; <*, >*: nothing
        return [Comparator("<", Version(0, 0, 0, ((0, 0),)))] if operator in ("<", ">") else []
    if p.patch is not None:
        return [Comparator(operator or "=", p.full)]
    major, minor = p.major, p.minor
    if operator in ("", "="):
        return _lower(p) + _upper(p)
    if operator == ">":  # >1 is >=2.0.0, >1.2 is >=1.3.0
        bump = (major + 1, 0, 0) if minor is None else (major, minor + 1, 0)
        return [Comparator(">=", _at(*bump))]
    if operator == "<=":  # <=1.2 is <1.3.0-0
        return _upper(p)
    if operator == "<":  # <1.2 is <1.2.0-0
        return [Comparator("<", _at(major, minor or 0, 0, pre=True))]
    return [Comparator(">=", _at(major, minor or 0, 0))]


def _caret(p: _Partial) -> list[Comparator]:
    """``^``: changes that do not modify the left-most non-zero part."""
    if p.major is None:
        return []
    if p.minor is None:
        return [*_lower(p), Comparator("<", _at(p.major + 1, 0, 0, pre=True))]
    if p.patch is None:
        bump = (p.major + 1, 0, 0) if p.major else (0, p.minor + 1, 0)
        return [*_lower(p), Comparator("<", _at(*bump, pre=True))]
    if p.major:
        bump = (p.major + 1, 0, 0)
    elif p.minor:
        bump = (0, p.minor + 1, 0)
    else:
        bump = (0, 0, p.patch + 1)
    return [Comparator(">=", p.full), Comparator("<", _at(*bump, pre=True))]


def _tilde(p: _Partial) -> list[Comparator]:
    """``~``: patch-level changes when a minor version is given, else minor-level."""
    if p.major is None:
        return []
    if p.minor is None:
        return [*_lower(p), Comparator("<", _at(p.major + 1, 0, 0, pre=True))]
    return [*_lower(p), Comparator("<", _at(p.major, p.minor + 1, 0, pre=True))]
