"""Render a load plan: selected versions and load stages, as text or JSON.

Takes plain data (spec name, plugin -> version, stages) rather than checker objects, so the
report layer stays independent of the check layer. Both renderings are deterministic:
plugins sorted by name, stages in load order and sorted within themselves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence


def plan_json(name: str, selected: Mapping[str, str], stages: Sequence[Sequence[str]]) -> str:
    """``{"spec": NAME, "selected": {plugin: version}, "stages": [[...], ...]}``."""
    document = {
        "spec": name,
        "selected": {plugin: selected[plugin] for plugin in sorted(selected)},
        "stages": [sorted(stage) for stage in stages],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def plan_text(name: str, selected: Mapping[str, str], stages: Sequence[Sequence[str]]) -> str:
    """A human plan: one line per selected plugin, then one line per stage."""
    count = len(selected)
    lines = [
        f"plan for {name}: {count} plugin{'s' if count != 1 else ''} "
        f"in {len(stages)} stage{'s' if len(stages) != 1 else ''}",
        "",
        "selected versions:",
    ]
    width = max((len(plugin) for plugin in selected), default=0)
    for plugin in sorted(selected):
        lines.append(f"  {plugin.ljust(width)}  {selected[plugin]}")
    lines += ["", "load order (plugins of one stage can load in parallel):"]
    digits = len(str(len(stages)))
    for number, stage in enumerate(stages, 1):
        lines.append(f"  stage {str(number).rjust(digits)}: {', '.join(sorted(stage))}")
    return "\n".join(lines) + "\n"
