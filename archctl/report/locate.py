"""Where a named element of a spec is written: state, node, plugin, rule, band, property.

Counterexamples name elements (a trace step's state or node, a cycle's members, the rules
that cover another); SARIF and other viewers want locations. The index walks each spec's
tuples of elements that carry a ``span`` and a ``name`` or ``id``, so a new kind is
indexed without a case of its own here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from archctl.model.spec import Spec
from archctl.source import Span

NameIndex = dict[tuple[str, str], Span]


def name_index(specs: Sequence[Spec]) -> NameIndex:
    """(spec name, element name) -> the element's span; the first definition wins."""
    index: NameIndex = {}
    for spec in specs:
        if not dataclasses.is_dataclass(spec):
            continue
        for item in dataclasses.fields(spec):
            value = getattr(spec, item.name)
            if not isinstance(value, tuple):
                continue
            for element in value:
                span = getattr(element, "span", None)
                name = getattr(element, "name", None) or getattr(element, "id", None)
                if isinstance(span, Span) and isinstance(name, str):
                    index.setdefault((spec.name, name), span)
    return index
