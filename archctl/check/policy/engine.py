"""What the rule checks know about each rule: its hull, its exact boxes, its neighbours.

Every rule gets an over-approximating hull (``po_box``): two rules whose hulls are disjoint
never share a request, so each rule is only ever compared with its *near* rules. Rules in
the box fragment (``po_dnf``) also get their exact boxes, and questions about them are
answered by ``po_exact`` in Python. For the rest, ``find`` asks one incremental Z3 solver
(``po_z3``, created on first use) "a request matching all of INCLUDE, none of EXCLUDE?",
under assumptions; the unsat core names the excluded rules that cover the region.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from archctl.check.policy.box import Box as Hull
from archctl.check.policy.box import Boxer, overlaps
from archctl.check.policy.dnf import Boxes
from archctl.check.policy.exact import Box
from archctl.check.policy.near import HullMasks
from archctl.check.policy.request import Request, request_from
from archctl.check.policy.scale import Scale
from archctl.check.policy.sweep import sample
from archctl.evidence import Value
from archctl.model.policy import Policy


class Answer(enum.Enum):
    FOUND = "found"
    NONE = "none"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Result:
    answer: Answer
    request: Request | None = None
    cover: tuple[int, ...] = ()


class Finder:
    def __init__(self, policy: Policy, timeout_ms: int, exact: bool = True) -> None:
        self.policy = policy
        self.timeout_ms = timeout_ms
        declared = {a.name: a.type for a in policy.attributes}
        boxer, boxes = Boxer(declared, policy.bands), Boxes(declared, policy.bands)
        self.hulls: list[Hull] = [boxer.box(rule.when) for rule in policy.rules]
        exact_boxes = [boxes.boxes(rule.when) if exact else None for rule in policy.rules]
        #: the exact boxes and the types they are over have real attributes on an integer
        #: grid (``po_scale``); ``request`` maps points back
        self.scale = Scale(declared, exact_boxes)
        self.types = self.scale.types(declared)
        self.exact: list[list[Box] | None] = [self.scale.boxes(b) for b in exact_boxes]
        for position, dnf in enumerate(self.exact):
            if dnf is not None and not dnf:
                self.hulls[position] = None  # exactly empty
        self._near: dict[int, list[int]] = {}
        self._masks: HullMasks | None = None
        self._z3: Any = None

    def empty(self, position: int) -> bool:
        """Proved unsatisfiable without a solver (empty hull or no exact box)."""
        return self.hulls[position] is None

    def near(self, position: int) -> list[int]:
        """The other rules that may share a request with this one, in file order."""
        if position not in self._near:
            if self._masks is None:
                self._masks = HullMasks(self.hulls)
            self._near[position] = self._masks.near(position)
        return self._near[position]

    def is_exact(self, positions: Iterable[int]) -> bool:
        return all(self.exact[p] is not None for p in positions)

    def boxes(self, position: int) -> list[Box]:
        dnf = self.exact[position]
        assert dnf is not None, "only rules in the box fragment have exact boxes"
        return dnf

    def owned(self, positions: Iterable[int]) -> list[tuple[int, Box]]:
        return [(p, box) for p in positions for box in self.boxes(p)]

    def request(self, where: Box | dict[str, object], is_point: bool = False) -> Request:
        """The request at a point, or at the sample point of a box."""
        values = (
            cast(dict[str, object], where) if is_point else sample(cast(Box, where), self.types)
        )
        return request_from(self.policy, cast(dict[str, Value], self.scale.point(values)))

    def find(
        self, include: Sequence[int], exclude: Iterable[int], literals: Sequence[Any] = ()
    ) -> Result:
        """Z3: a request matching every ``include`` rule (and the guarded ``literals`` of
        ``po_z3``) and no ``exclude`` rule."""
        if any(self.hulls[p] is None for p in include):
            return Result(Answer.NONE)
        exclude = [p for p in exclude if p not in include and self._may_meet(include, p)]
        result: Result = self.solver().find(include, exclude, literals)
        return result

    def _may_meet(self, include: Sequence[int], position: int) -> bool:
        hull = self.hulls[position]
        return all(overlaps(self.hulls[p], hull) for p in include)

    def solver(self) -> Any:
        """The Z3 engine, created (and z3 imported) on first use only."""
        if self._z3 is None:
            from archctl.check.policy.z3 import Z3Finder

            self._z3 = Z3Finder(self.policy, self.timeout_ms)
        return self._z3
