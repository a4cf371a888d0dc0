"""BPMN collaborations: pools become components, message flows bag channels (docs/bpmn.md).

Inline documents pin one behaviour each (a race at an event-based gateway, a message never
received, a pool waiting forever, improper completion, unbounded pools and message loops);
the example and rust_bpmn_analyzer's collaboration models pin the whole path, CLI included.
"""

from __future__ import annotations

from pathlib import Path

from archctl.check import CheckOptions
from archctl.diagnostics import Diagnostic
from archctl.load.bpmn.collaboration_net import PoolNet, explore
from archctl.load.loader import load_file
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES, run_archctl

SAGA = EXAMPLES / "order-saga.bpmn"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
)


def _doc(collaboration: str, *processes: str) -> str:
    return HEAD + collaboration + "".join(processes) + "</definitions>\n"


def _verify(tmp_path: Path, text: str, name: str = "c.bpmn") -> list[Diagnostic]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return verify_paths([str(path)], CheckOptions()).diagnostics


def _codes(found: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in found)


# A client sends a request and waits, at an event-based gateway, for "accepted" or "rejected";
# the server answers one of them.
CLIENT = """<process id="client">
  <startEvent id="c0"/>
  <sendTask id="ask"/>
  <eventBasedGateway id="race"/>
  <intermediateCatchEvent id="yes"><messageEventDefinition/></intermediateCatchEvent>
  <intermediateCatchEvent id="no"><messageEventDefinition/></intermediateCatchEvent>
  <endEvent id="cEnd1"/><endEvent id="cEnd2"/>
  <sequenceFlow id="f1" sourceRef="c0" targetRef="ask"/>
  <sequenceFlow id="f2" sourceRef="ask" targetRef="race"/>
  <sequenceFlow id="f3" sourceRef="race" targetRef="yes"/>
  <sequenceFlow id="f4" sourceRef="race" targetRef="no"/>
  <sequenceFlow id="f5" sourceRef="yes" targetRef="cEnd1"/>
  <sequenceFlow id="f6" sourceRef="no" targetRef="cEnd2"/>
</process>
"""
SERVER = """<process id="server">
  <startEvent id="s0"><messageEventDefinition/></startEvent>
  <exclusiveGateway id="decide"/>
  <sendTask id="accept"/><sendTask id="reject"/>
  <exclusiveGateway id="merge"/>
  <endEvent id="sEnd"/>
  <sequenceFlow id="g1" sourceRef="s0" targetRef="decide"/>
  <sequenceFlow id="g2" sourceRef="decide" targetRef="accept"/>
  <sequenceFlow id="g3" sourceRef="decide" targetRef="reject"/>
  <sequenceFlow id="g4" sourceRef="accept" targetRef="merge"/>
  <sequenceFlow id="g5" sourceRef="reject" targetRef="merge"/>
  <sequenceFlow id="g6" sourceRef="merge" targetRef="sEnd"/>
</process>
"""
FLOWS = """<collaboration id="deal">
  <participant id="Client" processRef="client"/>
  <participant id="Server" processRef="server"/>
  <messageFlow id="request" name="request" sourceRef="ask" targetRef="s0"/>
  <messageFlow id="accepted" name="accepted" sourceRef="accept" targetRef="yes"/>
  <messageFlow id="rejected" name="rejected" sourceRef="reject" targetRef="no"/>
</collaboration>
"""


def test_a_collaboration_becomes_a_system_of_pools_and_bag_channels() -> None:
    result = load_file(str(SAGA))
    systems = [spec for spec in result.specs if isinstance(spec, System)]
    assert len(systems) == 1
    system = systems[0]
    assert system.name == "order-saga-bpmn"
    assert [(c.name, c.origin) for c in system.components] == [
        ("Shop", "pool 'Shop'"),
        ("Payment", "pool 'Payment'"),
        ("Warehouse", "pool 'Warehouse'"),
    ]
    assert len(system.channels) == 9
    assert all(c.bag and c.unbounded for c in system.channels)
    machines = {spec.name for spec in result.specs if isinstance(spec, StateMachine)}
    assert machines == {"shop-pool", "payment-pool", "warehouse-pool"}
    # the message flows are modelled: no "message flows ignored" note, no event-gateway note
    assert [d for d in result.diagnostics if d.code == "LD009"] == []


def test_the_example_verifies_clean_and_proves_its_system_checks() -> None:
    outcome = verify_paths([str(SAGA)], CheckOptions())
    assert outcome.diagnostics == []
    proved = {(p.spec, p.check) for p in outcome.proved}
    assert {("order-saga-bpmn", code) for code in ("SY102", "SY103", "SY104")} <= proved


def test_an_event_based_gateway_races_the_messages_that_arrive(tmp_path: Path) -> None:
    # the client waits for whichever answer comes: never stuck on the other branch
    assert _codes(_verify(tmp_path, _doc(FLOWS, CLIENT, SERVER))) == []


def test_a_message_nobody_receives_is_left_over(tmp_path: Path) -> None:
    # without a message flow into "yes", the client may take that branch on its own (the
    # message comes from outside the collaboration); the server's "accepted" then stays
    flows = FLOWS.replace('targetRef="yes"', 'targetRef="no"').replace(
        '<messageFlow id="rejected" name="rejected" sourceRef="reject" targetRef="no"/>', ""
    )
    text = _doc(flows, CLIENT, SERVER)
    found = _verify(tmp_path, text)
    leftovers = [d for d in found if d.code == "SY104"]
    assert leftovers, _codes(found)
    assert "accepted holds 1" in leftovers[0].message
    assert '<messageFlow id="accepted"' in text.splitlines()[leftovers[0].span.line - 1]


def test_a_pool_waiting_for_a_message_never_sent_points_at_its_element(tmp_path: Path) -> None:
    # the request is drawn from the client's end event, which the client reaches only after
    # an answer: each pool waits for the other
    flows = FLOWS.replace('sourceRef="ask" targetRef="s0"', 'sourceRef="cEnd1" targetRef="s0"')
    text = _doc(flows, CLIENT, SERVER)
    found = _verify(tmp_path, text)
    deadlocks = [d for d in found if d.code == "SY102"]
    assert deadlocks, _codes(found)
    assert "Client in 'race' waits to receive" in deadlocks[0].message
    assert 'id="race"' in text.splitlines()[deadlocks[0].span.line - 1]  # where it waits
    dead = {d.subject: d for d in found if d.code == "SY105"}
    assert {"Client.yes", "Client.no", "Server.accept"} <= set(dead)
    assert 'id="yes"' in text.splitlines()[dead["Client.yes"].span.line - 1]


def test_two_tokens_reaching_one_end_event_is_improper_completion(tmp_path: Path) -> None:
    server = SERVER.replace('<exclusiveGateway id="decide"/>', '<parallelGateway id="decide"/>')
    server = server.replace('<sendTask id="reject"/>', '<task id="reject"/>')
    flows = FLOWS.replace(
        '<messageFlow id="rejected" name="rejected" sourceRef="reject" targetRef="no"/>', ""
    )
    found = _verify(tmp_path, _doc(flows, CLIENT, server))
    stuck = [d for d in found if d.code in ("SY102", "SY103")]
    assert stuck, _codes(found)
    assert "improper:sEnd" in stuck[0].message


def test_a_message_start_inside_a_subprocess_never_fires(tmp_path: Path) -> None:
    server = """<process id="server">
  <startEvent id="s0"/>
  <subProcess id="sub">
    <startEvent id="inner"><messageEventDefinition/></startEvent>
    <endEvent id="innerEnd"/>
    <sequenceFlow id="h1" sourceRef="inner" targetRef="innerEnd"/>
  </subProcess>
  <endEvent id="sEnd"/>
  <sequenceFlow id="g1" sourceRef="s0" targetRef="sub"/>
  <sequenceFlow id="g2" sourceRef="sub" targetRef="sEnd"/>
</process>
"""
    client = """<process id="client">
  <startEvent id="c0"/><sendTask id="ask"/><endEvent id="cEnd"/>
  <sequenceFlow id="f1" sourceRef="c0" targetRef="ask"/>
  <sequenceFlow id="f2" sourceRef="ask" targetRef="cEnd"/>
</process>
"""
    flows = """<collaboration id="deal">
  <participant id="Client" processRef="client"/>
  <participant id="Server" processRef="server"/>
  <messageFlow id="request" sourceRef="ask" targetRef="inner"/>
</collaboration>
"""
    found = _verify(tmp_path, _doc(flows, client, server))
    notes = [d for d in found if d.code == "LD009" and d.subject == "inner"]
    assert notes and "never fires" in notes[0].message
    assert "SY102" in _codes(found)


LOOP = """<process id="server">
  <startEvent id="s0"/>
  <exclusiveGateway id="again"/>
  <sendTask id="offer"/>
  <exclusiveGateway id="more"/>
  <endEvent id="sEnd"/>
  <sequenceFlow id="g1" sourceRef="s0" targetRef="again"/>
  <sequenceFlow id="g2" sourceRef="again" targetRef="offer"/>
  <sequenceFlow id="g3" sourceRef="offer" targetRef="more"/>
  <sequenceFlow id="g4" sourceRef="more" targetRef="again"/>
  <sequenceFlow id="g5" sourceRef="more" targetRef="sEnd"/>
</process>
"""


def test_a_loop_sending_without_limit_is_inconclusive_not_a_deadlock(tmp_path: Path) -> None:
    client = """<process id="client">
  <startEvent id="c0"/>
  <receiveTask id="take"/>
  <endEvent id="cEnd"/>
  <sequenceFlow id="f1" sourceRef="c0" targetRef="take"/>
  <sequenceFlow id="f2" sourceRef="take" targetRef="cEnd"/>
</process>
"""
    flows = """<collaboration id="deal">
  <participant id="Client" processRef="client"/>
  <participant id="Server" processRef="server"/>
  <messageFlow id="offers" name="offer" sourceRef="offer" targetRef="take"/>
</collaboration>
"""
    found = _verify(tmp_path, _doc(flows, client, LOOP))
    codes = _codes(found)
    assert "SY102" not in codes  # the bound of 3 messages is archctl's, not the model's
    bound = [d for d in found if d.code == "SY901"]
    assert bound and "more than 3 messages into offers" in bound[0].message
    assert bound[0].evidence is not None  # the run that fills the message flow
    assert "SY104" in codes  # an offer left over is a real run (one offer taken, one sent)


def test_a_pool_whose_tokens_pile_up_is_checked_up_to_its_frontier(tmp_path: Path) -> None:
    forever = """<process id="server">
  <startEvent id="s0"/>
  <exclusiveGateway id="again"/>
  <parallelGateway id="fork"/>
  <task id="work"/>
  <endEvent id="sEnd"/><endEvent id="sEnd2"/>
  <sequenceFlow id="g1" sourceRef="s0" targetRef="again"/>
  <sequenceFlow id="g2" sourceRef="again" targetRef="fork"/>
  <sequenceFlow id="g3" sourceRef="fork" targetRef="again"/>
  <sequenceFlow id="g4" sourceRef="fork" targetRef="work"/>
  <sequenceFlow id="g5" sourceRef="work" targetRef="sEnd"/>
  <sequenceFlow id="g6" sourceRef="again" targetRef="sEnd2"/>
</process>
"""
    text = _doc(FLOWS.replace('processRef="server"', 'processRef="server"'), CLIENT, forever)
    text = text.replace('sourceRef="accept"', 'sourceRef="work"').replace(
        '<messageFlow id="rejected" name="rejected" sourceRef="reject" targetRef="no"/>', ""
    )
    text = text.replace('targetRef="s0"/>', 'targetRef="work"/>')
    found = _verify(tmp_path, text)
    # the server's loop piles tokens up without end: its machine stops at a frontier marking
    # (3 tokens on a flow), the system is explored up to it and says where it stopped
    bound = [d for d in found if d.code == "SY901" and d.spec == "deal"]
    assert len(bound) == 1, _codes(found)
    assert "construction stopped" in bound[0].message
    assert bound[0].evidence is not None  # the run that gets there
    assert 'id="again"' in text.splitlines()[bound[0].span.line - 1]  # where tokens pile up
    # what was found before the frontier is still reported: two tokens on one flow
    unsafe = [d for d in found if d.code == "SY201" and d.subject == "safe_Server"]
    assert unsafe and unsafe[0].evidence is not None
    # so is a deadlock: a second token in 'work' waits for a request the client sends once
    stuck = [d for d in found if d.code == "SY102"]
    assert stuck and "Server in 'work" in stuck[0].message
    # the frontier itself (3 tokens on a flow) is where the search stopped, not a deadlock
    assert not [d for d in stuck if "x3" in d.message]


def test_an_event_based_gateway_fires_with_the_receive_it_races_for() -> None:
    result = load_file(str(SAGA))
    shop = next(s for s in result.specs if isinstance(s, Workflow) and s.name == "shop")
    machine = next(s for s in result.specs if isinstance(s, StateMachine))
    assert machine.name == "shop-pool"
    names = {state.name for state in machine.states}
    # alone, an exclusive choice commits a token to a catch event before its message is
    # there; in the pool's machine the gateway and the receive are one step
    alone = explore(PoolNet(shop, {}, {}, set(), set()))
    place = alone.places.index("StockAnswer->StockReserved")
    assert any(marking[place] for marking in alone.markings)
    assert "StockReserved" not in names and "StockAnswer" in names
    (race,) = [
        t
        for t in machine.transitions
        if t.source == "StockAnswer" and t.channel and t.channel.message == "reserved"
    ]
    assert race.target == "ChargePayment" and race.description == "StockReserved"
    assert machine.final == ("done",)


def test_graph_and_simulate_run_an_imported_collaboration() -> None:
    drawn = run_archctl("graph", str(SAGA), "--spec", "order-saga-bpmn", "-f", "mermaid")
    assert drawn.returncode == 0, drawn.stderr
    assert 'n_component_Shop -->|"reserve"| n_channel_Message_reserve' in drawn.stdout
    ran = run_archctl(
        "simulate", str(SAGA), "--spec", "order-saga-bpmn", "--instances", "20", "--seed", "1"
    )
    assert ran.returncode == 0, ran.stderr
    assert "final" in ran.stdout and "deadlock" not in ran.stdout.replace("deadlock 0", "")


def test_rust_bpmn_analyzer_collaborations_agree(corpus: Path) -> None:
    # LABELS.md: "all fulfilled" (safeness, option to complete, proper completion, no dead
    # activities) for both; the system decides the message side
    for name in ("pools-message-flows.bpmn", "message_persistence.bpmn"):
        path = corpus / "bpmn" / "rust_bpmn_analyzer" / "integration" / name
        labels = (corpus / "bpmn" / "rust_bpmn_analyzer" / "LABELS.md").read_text()
        assert f"integration/{name}" in labels and "all fulfilled" in labels
        result = load_file(str(path))
        assert [s for s in result.specs if isinstance(s, System)], name
        outcome = verify_paths([str(path)], CheckOptions())
        assert [d for d in outcome.diagnostics if d.severity.value != "info"] == [], name
        assert {p.check for p in outcome.proved} >= {"SY102", "SY103", "SY104", "WF105"}


def test_message_end_events_send_and_message_boundaries_receive(tmp_path: Path) -> None:
    client = """<process id="client">
  <startEvent id="c0"/>
  <exclusiveGateway id="choose"/>
  <sendTask id="cancel"/>
  <endEvent id="quiet"/>
  <endEvent id="bye"><messageEventDefinition/></endEvent>
  <sequenceFlow id="f1" sourceRef="c0" targetRef="choose"/>
  <sequenceFlow id="f2" sourceRef="choose" targetRef="cancel"/>
  <sequenceFlow id="f3" sourceRef="choose" targetRef="quiet"/>
  <sequenceFlow id="f4" sourceRef="cancel" targetRef="bye"/>
</process>
"""
    server = """<process id="server">
  <startEvent id="s0"/>
  <task id="work"/>
  <boundaryEvent id="stop" attachedToRef="work"><messageEventDefinition/></boundaryEvent>
  <endEvent id="done"/><endEvent id="stopped"/>
  <sequenceFlow id="g1" sourceRef="s0" targetRef="work"/>
  <sequenceFlow id="g2" sourceRef="work" targetRef="done"/>
  <sequenceFlow id="g3" sourceRef="stop" targetRef="stopped"/>
</process>
"""
    flows = """<collaboration id="deal">
  <participant id="Client" processRef="client"/>
  <participant id="Server" processRef="server"/>
  <messageFlow id="cancelled" sourceRef="cancel" targetRef="stop"/>
  <messageFlow id="farewell" sourceRef="bye" targetRef="work"/>
</collaboration>
"""
    # "bye" (a message end event) sends farewell, which "work" needs to run: when the client
    # ends quietly the server waits forever; a cancel that comes after the work is left over
    text = _doc(flows, client, server)
    found = _verify(tmp_path, text)
    deadlocks = [d for d in found if d.code == "SY102"]
    assert deadlocks and "Server in 'work' waits to receive farewell" in deadlocks[0].message
    leftovers = [d for d in found if d.code == "SY104"]
    assert leftovers and "cancelled holds 1" in leftovers[0].message
    # the boundary path runs in some run: it receives the cancel
    assert not [d for d in found if d.code == "SY105" and d.subject == "Server.stop"]
