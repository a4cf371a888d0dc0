"""The same workflow net handed to pm4py, for differential tests and the benchmark."""

from __future__ import annotations

from typing import Any

from archctl.conform.workflow_net import WorkflowNet


def to_pm4py(net: WorkflowNet) -> tuple[Any, Any, Any]:
    """(PetriNet, initial marking, final marking): a source place and a silent start are
    added so the initial marking is one token, as pm4py's algorithms expect."""
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils import petri_utils

    if any(t.ends_instance for t in net.transitions):
        raise ValueError("a task that ends the whole instance has no Petri-net equivalent")
    pn = PetriNet("archctl")
    places = [PetriNet.Place(f"p{i}") for i in range(len(net.places))]
    source = PetriNet.Place("source")
    for place in [*places, source]:
        pn.places.add(place)
    start = PetriNet.Transition("t_start", None)
    pn.transitions.add(start)
    petri_utils.add_arc_from_to(source, start, pn)
    for index in net.initial_marking:
        petri_utils.add_arc_from_to(start, places[index], pn)
    for number, transition in enumerate(net.transitions):
        t = PetriNet.Transition(f"t{number}", transition.label)
        pn.transitions.add(t)
        for index in transition.consume:
            petri_utils.add_arc_from_to(places[index], t, pn)
        for index in transition.produce:
            petri_utils.add_arc_from_to(t, places[index], pn)
    initial, final = Marking(), Marking()
    initial[source] = 1
    final[places[net.sink]] = 1
    return pn, initial, final


def pm4py_log(traces: list[tuple[str, ...]]) -> Any:
    import pandas as pd
    import pm4py

    rows = [
        {
            "case:concept:name": f"c{i}",
            "concept:name": a,
            "time:timestamp": pd.Timestamp(j, unit="s"),
        }
        for i, trace in enumerate(traces)
        for j, a in enumerate(trace)
    ]
    frame = pd.DataFrame(rows)
    return pm4py.convert_to_event_log(frame)
