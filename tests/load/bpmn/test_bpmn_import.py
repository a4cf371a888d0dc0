"""BPMN 2.0 import: hardened parsing, located diagnostics and the mapping to workflows."""

from __future__ import annotations

from pathlib import Path

from archctl.diagnostics import Diagnostic
from archctl.load.bpmn.frontend import load_bpmn_text
from archctl.load.loader import discover, load_file
from archctl.model.expr import to_source
from archctl.model.spec import LoadResult
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs">\n'
)


def load(body: str, path: str = "t.bpmn") -> LoadResult:
    return load_bpmn_text(path, HEAD + body + "</definitions>\n")


def process(inner: str, pid: str = "order") -> str:
    return f'<process id="{pid}">\n{inner}</process>\n'


def only(result: LoadResult) -> Workflow:
    assert len(result.specs) == 1
    spec = result.specs[0]
    assert isinstance(spec, Workflow)
    return spec


def codes(result: LoadResult) -> list[tuple[str, str | None]]:
    return sorted((d.code, d.subject) for d in result.diagnostics)


def edges(workflow: Workflow) -> list[tuple[str, str]]:
    return [(flow.source, flow.target) for flow in workflow.flows]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def the(result: LoadResult, code: str) -> Diagnostic:
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, result.diagnostics
    return found[0]


SIMPLE = process(
    '<startEvent id="s"/>\n'
    '<userTask id="review" name="Review"/>\n'
    '<endEvent id="e"/>\n'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="review"/>\n'
    '<sequenceFlow id="f2" sourceRef="review" targetRef="e"/>\n'
)


def test_simple_process_maps_nodes_flows_and_lines() -> None:
    text = HEAD + SIMPLE + "</definitions>\n"
    result = load_bpmn_text("t.bpmn", text)
    assert result.diagnostics == []
    workflow = only(result)
    assert workflow.name == "order"
    assert [(n.id, n.type, n.task) for n in workflow.nodes] == [
        ("s", "start", None),
        ("review", "task", "user"),
        ("e", "end", None),
    ]
    assert edges(workflow) == [("s", "review"), ("review", "e")]
    review = workflow.node("review")
    assert review is not None and review.span.line == line_of(text, 'id="review"')
    assert review.span.column == 1 and review.span.file == "t.bpmn"
    assert workflow.flows[1].span.line == line_of(text, 'id="f2"')
    assert workflow.span.line == line_of(text, "<process")


def test_external_entity_is_refused_with_a_located_ld001() -> None:
    text = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE definitions [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</definitions>\n'
    )
    result = load_bpmn_text("x.bpmn", text)
    assert result.specs == []
    error = the(result, "LD001")
    assert "DTD" in error.message and "XXE" in error.message
    assert error.span is not None and error.span.line == 2


def test_billion_laughs_is_refused() -> None:
    entities = "".join(
        f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10)
    )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol0 "lol">\n'
        + entities
        + ']>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;'
        "</definitions>\n"
    )
    result = load_bpmn_text("bomb.bpmn", text)
    assert result.specs == []
    assert codes(result) == [("LD001", None)]


def test_truncated_xml_is_ld001_at_the_parser_position() -> None:
    full = HEAD + SIMPLE + "</definitions>\n"
    cut = full[: full.index("<endEvent") + 9]
    result = load_bpmn_text("cut.bpmn", cut)
    error = the(result, "LD001")
    assert error.span is not None
    # expat points at the start of the token it could not finish
    assert (error.span.line, error.span.column) == (line_of(cut, "<endEvent"), 1)
    assert "unclosed token" in error.message
    assert result.specs == []


def test_garbage_and_empty_files_never_raise() -> None:
    for text in ("", "not xml at all", "<a><b></a>", "\x00\x01", "<?xml version='1.0'?>"):
        result = load_bpmn_text("g.bpmn", text)
        assert [d.code for d in result.diagnostics] == ["LD001"], text
        assert result.specs == []


def test_a_root_outside_the_bpmn_namespace_is_located() -> None:
    result = load_bpmn_text("o.bpmn", '<?xml version="1.0"?>\n<definitions xmlns="urn:other"/>\n')
    error = the(result, "LD004")
    assert "urn:other" in error.message and error.span is not None and error.span.line == 2


def test_missing_references_and_ids_are_located_errors() -> None:
    body = process(
        '<startEvent id="s"/>\n'
        "<task/>\n"
        '<endEvent id="e"/>\n'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="nowhere"/>\n'
        '<sequenceFlow id="f2" sourceRef="s"/>\n'
        '<boundaryEvent id="b" attachedToRef="ghost"/>\n'
    )
    text = HEAD + body + "</definitions>\n"
    result = load_bpmn_text("m.bpmn", text)
    found = {(d.code, d.span.line if d.span else 0) for d in result.diagnostics}
    assert ("LD003", line_of(text, "<task/>")) in found
    assert ("LD005", line_of(text, 'id="f1"')) in found
    assert ("LD003", line_of(text, 'id="f2"')) in found
    assert ("LD005", line_of(text, 'id="b"')) in found
    missing = next(d for d in result.diagnostics if d.code == "LD005" and "nowhere" in d.message)
    assert "targetRef" in missing.message


def test_duplicate_ids_are_reported() -> None:
    result = load(process('<startEvent id="s"/>\n<task id="s"/>\n'))
    assert ("LD006", "s") in codes(result)


def test_juel_conditions_and_default_become_when_and_default() -> None:
    body = process(
        '<startEvent id="s"/>\n<serviceTask id="check"/>\n'
        '<exclusiveGateway id="gw" default="f_small"/>\n'
        '<task id="big"/>\n<task id="small"/>\n<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="check"/>\n'
        '<sequenceFlow id="f1" sourceRef="check" targetRef="gw"/>\n'
        '<sequenceFlow id="f_big" sourceRef="gw" targetRef="big">\n'
        "  <conditionExpression>${amount &gt; 1000 &amp;&amp; !vip}</conditionExpression>\n"
        "</sequenceFlow>\n"
        '<sequenceFlow id="f_small" sourceRef="gw" targetRef="small"/>\n'
        '<sequenceFlow id="f3" sourceRef="big" targetRef="e"/>\n'
        '<sequenceFlow id="f4" sourceRef="small" targetRef="e"/>\n'
    )
    result = load(body)
    assert result.diagnostics == []
    workflow = only(result)
    conditional = {
        flow.target: (to_source(flow.when) if flow.when else None, flow.default)
        for flow in workflow.flows
        if flow.source == "gw"
    }
    assert conditional == {"big": ("amount > 1000 and not vip", False), "small": (None, True)}
    assert [(v.name, v.type.kind.value, v.initial) for v in workflow.variables] == [
        ("amount", "int", None),
        ("vip", "bool", None),
    ]
    check = workflow.node("check")
    assert check is not None
    assert [(a.target, a.value) for a in check.sets] == [("amount", None), ("vip", None)]


def test_feel_conditions_translate() -> None:
    body = process(
        '<startEvent id="s"/>\n<exclusiveGateway id="gw"/>\n<endEvent id="a"/>\n'
        '<endEvent id="b"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>\n'
        '<sequenceFlow id="f1" sourceRef="gw" targetRef="a">'
        '<conditionExpression>= tier = "gold"</conditionExpression></sequenceFlow>\n'
        '<sequenceFlow id="f2" sourceRef="gw" targetRef="b">'
        '<conditionExpression>= tier != "gold"</conditionExpression></sequenceFlow>\n'
    )
    workflow = only(load(body))
    whens = [to_source(f.when) for f in workflow.flows if f.when is not None]
    assert whens == ['tier == "gold"', 'tier != "gold"']
    assert [(v.name, v.type.kind.value) for v in workflow.variables] == [("tier", "string")]


def test_untranslatable_condition_makes_a_free_choice_with_a_note() -> None:
    body = process(
        '<startEvent id="s"/>\n<exclusiveGateway id="gw" default="f2"/>\n<endEvent id="a"/>\n'
        '<endEvent id="b"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>\n'
        '<sequenceFlow id="f1" sourceRef="gw" targetRef="a">'
        "<conditionExpression>${execution.getVariable('ok')}</conditionExpression>"
        "</sequenceFlow>\n"
        '<sequenceFlow id="f2" sourceRef="gw" targetRef="b"/>\n'
    )
    text = HEAD + body + "</definitions>\n"
    result = load_bpmn_text("u.bpmn", text)
    note = the(result, "LD009")
    assert note.subject == "gw" and "getVariable" in note.message and "free choice" in note.message
    assert note.span is not None and note.span.line == line_of(text, 'id="f1"')
    workflow = only(result)
    assert all(f.when is None and not f.default for f in workflow.flows)
    assert workflow.variables == ()


def test_default_without_conditions_is_a_free_choice() -> None:
    body = process(
        '<startEvent id="s"/>\n<exclusiveGateway id="gw" default="f2"/>\n<endEvent id="a"/>\n'
        '<endEvent id="b"/>\n<sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>\n'
        '<sequenceFlow id="f1" sourceRef="gw" targetRef="a"/>\n'
        '<sequenceFlow id="f2" sourceRef="gw" targetRef="b"/>\n'
    )
    result = load(body)
    assert codes(result) == [("LD009", "gw")]
    assert not any(f.default for f in only(result).flows)


def test_conditional_flows_out_of_a_task_become_an_inclusive_split() -> None:
    body = process(
        '<startEvent id="s"/>\n<task id="t" default="f2"/>\n<endEvent id="a"/>\n'
        '<endEvent id="b"/>\n<sequenceFlow id="f0" sourceRef="s" targetRef="t"/>\n'
        '<sequenceFlow id="f1" sourceRef="t" targetRef="a">'
        "<conditionExpression>${x &gt;= 3}</conditionExpression></sequenceFlow>\n"
        '<sequenceFlow id="f2" sourceRef="t" targetRef="b"/>\n'
    )
    workflow = only(load(body))
    split = workflow.node("t.split")
    assert split is not None and split.gateway == "inclusive"
    assert ("t", "t.split") in edges(workflow)
    out = [(f.target, f.when is not None, f.default) for f in workflow.outgoing("t.split")]
    assert out == [("a", True, False), ("b", False, True)]


def test_several_outgoing_flows_of_a_task_are_a_parallel_split_and_none_an_implicit_end() -> None:
    body = process(
        '<startEvent id="s"/>\n<task id="t"/>\n<task id="a"/>\n<task id="b"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="t"/>\n'
        '<sequenceFlow id="f1" sourceRef="t" targetRef="a"/>\n'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="b"/>\n'
    )
    workflow = only(load(body))
    split = workflow.node("t.split")
    assert split is not None and split.gateway == "parallel"
    assert {f.target for f in workflow.outgoing("t.split")} == {"a", "b"}
    for task in ("a", "b"):
        end = workflow.node(f"{task}.end")
        assert end is not None and end.type == "end"


def test_error_timer_and_non_interrupting_boundaries() -> None:
    body = process(
        '<startEvent id="s"/>\n<serviceTask id="pay"/>\n<endEvent id="done"/>\n'
        '<boundaryEvent id="failed" attachedToRef="pay"><errorEventDefinition/></boundaryEvent>\n'
        '<boundaryEvent id="late" attachedToRef="pay"><timerEventDefinition/></boundaryEvent>\n'
        '<boundaryEvent id="nudge" attachedToRef="pay" cancelActivity="false">'
        "<messageEventDefinition/></boundaryEvent>\n"
        '<endEvent id="x1"/>\n<endEvent id="x2"/>\n<endEvent id="x3"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="pay"/>\n'
        '<sequenceFlow id="f1" sourceRef="pay" targetRef="done"/>\n'
        '<sequenceFlow id="f2" sourceRef="failed" targetRef="x1"/>\n'
        '<sequenceFlow id="f3" sourceRef="late" targetRef="x2"/>\n'
        '<sequenceFlow id="f4" sourceRef="nudge" targetRef="x3"/>\n'
    )
    result = load(body)
    assert codes(result) == []  # every boundary of a task is modelled exactly
    workflow = only(result)
    pay = workflow.node("pay")
    assert pay is not None and pay.on_error == "failed"
    assert pay.failure_rate > 0  # an error boundary says the task can fail
    exit_gateway = workflow.node("pay.exit")
    listen = workflow.node("nudge.listen")
    fire = workflow.node("nudge.fire")
    assert exit_gateway is not None and exit_gateway.gateway == "exclusive"
    assert listen is not None and listen.gateway == "exclusive"
    assert fire is not None and fire.gateway == "parallel"
    assert ("pay", "pay.exit") in edges(workflow)
    assert {f.target for f in workflow.outgoing("pay.exit")} == {"nudge.listen", "late"}
    # the message may come again and again before the task's token leaves
    assert {f.target for f in workflow.outgoing("nudge.listen")} == {"done", "nudge.fire"}
    assert {f.target for f in workflow.outgoing("nudge.fire")} == {"nudge", "nudge.listen"}
    assert ("late", "x2") in edges(workflow) and ("failed", "x1") in edges(workflow)


def test_non_interrupting_timer_with_a_duration_fires_at_most_once() -> None:
    body = process(
        '<startEvent id="s"/>\n<serviceTask id="pay"/>\n<endEvent id="done"/>\n'
        '<boundaryEvent id="nudge" attachedToRef="pay" cancelActivity="false">'
        "<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>"
        "</boundaryEvent>\n"
        '<endEvent id="x3"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="pay"/>\n'
        '<sequenceFlow id="f1" sourceRef="pay" targetRef="done"/>\n'
        '<sequenceFlow id="f4" sourceRef="nudge" targetRef="x3"/>\n'
    )
    workflow = only(load(body))
    assert {f.target for f in workflow.outgoing("pay.fork")} == {"done", "nudge.maybe"}
    assert {f.target for f in workflow.outgoing("nudge.maybe")} == {"nudge", "nudge.skip"}


def test_embedded_subprocess_is_flattened_with_prefixed_ids() -> None:
    body = process(
        '<startEvent id="s"/>\n<subProcess id="ship">\n'
        '  <startEvent id="ss"/>\n  <parallelGateway id="fork"/>\n'
        '  <task id="pack"/>\n  <task id="label"/>\n'
        '  <endEvent id="e1"/>\n  <endEvent id="e2"/>\n'
        '  <sequenceFlow id="i0" sourceRef="ss" targetRef="fork"/>\n'
        '  <sequenceFlow id="i1" sourceRef="fork" targetRef="pack"/>\n'
        '  <sequenceFlow id="i2" sourceRef="fork" targetRef="label"/>\n'
        '  <sequenceFlow id="i3" sourceRef="pack" targetRef="e1"/>\n'
        '  <sequenceFlow id="i4" sourceRef="label" targetRef="e2"/>\n'
        '</subProcess>\n<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="ship"/>\n'
        '<sequenceFlow id="f1" sourceRef="ship" targetRef="e"/>\n'
    )
    result = load(body)
    assert result.diagnostics == []
    workflow = only(result)
    ids = [node.id for node in workflow.nodes]
    assert "ship.pack" in ids and "ship.fork" in ids and "ship.join" in ids
    assert [n.id for n in workflow.nodes if n.type == "start"] == ["s"]
    assert [n.id for n in workflow.nodes if n.type == "end"] == ["e"]
    join = workflow.node("ship.join")
    assert join is not None and join.gateway == "inclusive"
    found = set(edges(workflow))
    assert {("s", "ship"), ("ship", "ship.ss"), ("ship.e1", "ship.join")} <= found
    assert {("ship.e2", "ship.join"), ("ship.join", "e")} <= found


def test_collaboration_yields_one_workflow_per_pool_and_a_system() -> None:
    body = (
        '<collaboration id="c">\n'
        '  <participant id="p1" processRef="buyer"/>\n'
        '  <participant id="p2" processRef="seller"/>\n'
        '  <messageFlow id="m1" sourceRef="t1" targetRef="t2"/>\n'
        '  <messageFlow id="m2" sourceRef="t2" targetRef="t1"/>\n'
        "</collaboration>\n"
        + process(
            '<startEvent id="s1"/><sendTask id="t1"/><endEvent id="e1"/>\n'
            '<sequenceFlow id="a" sourceRef="s1" targetRef="t1"/>'
            '<sequenceFlow id="b" sourceRef="t1" targetRef="e1"/>\n',
            "buyer",
        )
        + process(
            '<startEvent id="s2"/><receiveTask id="t2"/><endEvent id="e2"/>\n'
            '<sequenceFlow id="c" sourceRef="s2" targetRef="t2"/>'
            '<sequenceFlow id="d" sourceRef="t2" targetRef="e2"/>\n',
            "seller",
        )
    )
    result = load(body)
    # each pool alone as its workflow, and the collaboration as a system of the pools'
    # marking graphs (test_bpmn_collab.py): the message flows are modelled, no LD009
    names = ["buyer", "seller", "buyer-pool", "seller-pool", "c"]
    assert [spec.name for spec in result.specs] == names
    assert codes(result) == []
    # an element that receives and sends does both in two steps, the receive first: t2
    # waits for m1, t1 for m2, so no run gets to a send, and the machines (the markings the
    # collaboration's runs reach, with the firings enabled there) hold the receives alone
    for name, receive in (("seller-pool", "m1?m1"), ("buyer-pool", "m2?m2")):
        machine = next(s for s in result.specs if s.name == name)
        assert isinstance(machine, StateMachine)
        assert [t.channel.text for t in machine.transitions if t.channel] == [receive]


def test_several_start_events_become_a_free_choice() -> None:
    body = process(
        '<startEvent id="web"/>\n<startEvent id="phone"/>\n<endEvent id="e"/>\n'
        '<sequenceFlow id="f1" sourceRef="web" targetRef="e"/>\n'
        '<sequenceFlow id="f2" sourceRef="phone" targetRef="e"/>\n'
    )
    result = load(body)
    workflow = only(result)
    assert [n.id for n in workflow.nodes if n.type == "start"] == ["start"]
    assert {f.target for f in workflow.outgoing("start.split")} == {"web", "phone"}
    split = workflow.node("start.split")
    assert split is not None and split.gateway == "exclusive"
    assert codes(result) == [("LD009", "start")]


def test_event_based_gateway_and_terminate_are_modelled_unknown_namespace_noted() -> None:
    body = process(
        '<startEvent id="s"/>\n<eventBasedGateway id="wait"/>\n'
        '<intermediateCatchEvent id="msg"><messageEventDefinition/></intermediateCatchEvent>\n'
        '<intermediateCatchEvent id="tmo"><timerEventDefinition/></intermediateCatchEvent>\n'
        '<endEvent id="stop"><terminateEventDefinition/></endEvent>\n'
        '<x:widget xmlns:x="urn:vendor" id="w"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="wait"/>\n'
        '<sequenceFlow id="f1" sourceRef="wait" targetRef="msg"/>\n'
        '<sequenceFlow id="f2" sourceRef="wait" targetRef="tmo"/>\n'
        '<sequenceFlow id="f3" sourceRef="msg" targetRef="stop"/>\n'
        '<sequenceFlow id="f4" sourceRef="tmo" targetRef="stop"/>\n'
    )
    text = HEAD + body + "</definitions>\n"
    result = load_bpmn_text("n.bpmn", text)
    notes = {(d.subject, d.span.line if d.span else 0) for d in result.diagnostics}
    assert all(d.code == "LD009" for d in result.diagnostics)
    # the race of the catch events is a free choice in one process: exact, no note
    assert not any(subject in ("wait", "stop") for subject, _ in notes)
    assert ("w", line_of(text, "x:widget")) in notes
    workflow = only(result)
    stop = workflow.node("stop")
    assert stop is not None and stop.type == "end" and stop.terminate
    wait = workflow.node("wait")
    assert wait is not None and wait.gateway == "exclusive"
    msg = workflow.node("msg")
    assert msg is not None and msg.type == "task"
    assert (msg.message, msg.message_role, msg.bpmn_id) == ("msg", "receive", "msg")
    assert stop.once and workflow.node("tmo").message is None  # type: ignore[union-attr]


def test_message_names_come_from_the_message_element() -> None:
    body = (
        '<message id="m1" name="OrderPlaced"/>\n<process id="p">\n'
        '<startEvent id="s"><messageEventDefinition messageRef="m1"/></startEvent>\n'
        '<sendTask id="send" messageRef="m1"/>\n'
        '<intermediateThrowEvent id="ack"><messageEventDefinition messageRef="m2"/>'
        "</intermediateThrowEvent>\n"
        '<endEvent id="e"><messageEventDefinition/></endEvent>\n'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="send"/>\n'
        '<sequenceFlow id="f2" sourceRef="send" targetRef="ack"/>\n'
        '<sequenceFlow id="f3" sourceRef="ack" targetRef="e"/>\n</process>\n'
    )
    workflow = only(load_bpmn_text("m.bpmn", HEAD + body + "</definitions>\n"))
    found = {n.id: (n.message, n.message_role) for n in workflow.nodes if n.message}
    assert found == {
        "s": ("OrderPlaced", "receive"),
        "send": ("OrderPlaced", "send"),
        "ack": ("m2", "send"),  # an unknown reference is kept as it is
        "e": ("e", "send"),  # no reference: the element's own id
    }


def test_call_activity_names_its_process_and_links_connect() -> None:
    body = process(
        '<startEvent id="s"/>\n<callActivity id="call" calledElement="billing.v2"/>\n'
        '<intermediateThrowEvent id="go"><linkEventDefinition name="L"/></intermediateThrowEvent>\n'
        '<intermediateCatchEvent id="land"><linkEventDefinition name="L"/>'
        "</intermediateCatchEvent>\n"
        '<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="call"/>\n'
        '<sequenceFlow id="f1" sourceRef="call" targetRef="go"/>\n'
        '<sequenceFlow id="f2" sourceRef="land" targetRef="e"/>\n',
        pid="Order Process#1",
    )
    result = load(body)
    assert result.diagnostics == []
    workflow = only(result)
    assert workflow.name == "Order_Process_1"
    call = workflow.node("call")
    assert call is not None and call.task == "subprocess" and call.process == "billing_v2"
    assert ("go", "land") in edges(workflow)


def test_folders_pick_up_bpmn_files(tmp_path: Path) -> None:
    (tmp_path / "a.bpmn").write_text(HEAD + SIMPLE + "</definitions>\n", encoding="utf-8")
    files, problems = discover([str(tmp_path)])
    assert problems == [] and [Path(f).name for f in files] == ["a.bpmn"]
    result = load_file(files[0])
    assert [spec.name for spec in result.specs] == ["order"]


def test_untranslatable_inclusive_gateway_keeps_its_default_apart() -> None:
    body = process(
        '<startEvent id="s"/>\n<inclusiveGateway id="pay" default="f_else"/>\n'
        '<endEvent id="a"/>\n<endEvent id="b"/>\n<endEvent id="c"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="pay"/>\n'
        '<sequenceFlow id="f_card" sourceRef="pay" targetRef="a">'
        "<conditionExpression>card</conditionExpression></sequenceFlow>\n"
        '<sequenceFlow id="f_voucher" sourceRef="pay" targetRef="b">'
        "<conditionExpression>voucher</conditionExpression></sequenceFlow>\n"
        '<sequenceFlow id="f_else" sourceRef="pay" targetRef="c"/>\n'
    )
    result = load(body)
    assert codes(result) == [("LD009", "pay")]
    workflow = only(result)
    assert all(f.when is None and not f.default for f in workflow.flows)
    assert [f.target for f in workflow.outgoing("pay")] == ["pay.choice"]
    choice, others = workflow.node("pay.choice"), workflow.node("pay.others")
    assert choice is not None and choice.gateway == "exclusive"
    assert others is not None and others.gateway == "inclusive"
    assert {f.target for f in workflow.outgoing("pay.choice")} == {"c", "pay.others"}
    assert {f.target for f in workflow.outgoing("pay.others")} == {"a", "b"}


def test_interrupting_a_single_token_subprocess_is_possible_at_every_step() -> None:
    body = process(
        '<startEvent id="s"/>\n<subProcess id="poll">\n'
        '  <startEvent id="ps"/>\n  <task id="ask"/>\n  <task id="wait"/>\n'
        '  <sequenceFlow id="i0" sourceRef="ps" targetRef="ask"/>\n'
        '  <sequenceFlow id="i1" sourceRef="ask" targetRef="wait"/>\n'
        '  <sequenceFlow id="i2" sourceRef="wait" targetRef="ask"/>\n'
        "</subProcess>\n"
        '<boundaryEvent id="timeout" attachedToRef="poll"><timerEventDefinition/>'
        '</boundaryEvent>\n<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="poll"/>\n'
        '<sequenceFlow id="f1" sourceRef="timeout" targetRef="e"/>\n'
    )
    result = load(body)
    assert result.diagnostics == []
    workflow = only(result)
    for step in ("poll", "poll.ps", "poll.ask", "poll.wait"):
        assert {f.target for f in workflow.outgoing(f"{step}.exit")} >= {"timeout"}, step
    assert workflow.node("poll.join") is None  # it never completes normally: no dead join


def test_call_activity_of_a_global_task_runs_it_in_place() -> None:
    body = '<globalUserTask id="approve"/>\n' + process(
        '<startEvent id="s"/>\n<callActivity id="call" calledElement="approve"/>\n'
        '<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="call"/>\n'
        '<sequenceFlow id="f1" sourceRef="call" targetRef="e"/>\n'
    )
    call = only(load(body)).node("call")
    assert call is not None and call.task == "user" and call.process is None


def test_verify_checks_a_bpmn_file_like_any_spec(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip(
        "archctl.check.workflow.checker", reason="the workflow checker has not landed"
    )
    from archctl.verify import verify_paths

    text = (
        HEAD
        + process(
            '<startEvent id="s"/>\n<parallelGateway id="fork"/>\n'
            '<exclusiveGateway id="merge"/>\n<task id="t"/>\n<endEvent id="e"/>\n'
            '<sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>\n'
            '<sequenceFlow id="f1" sourceRef="fork" targetRef="merge"/>\n'
            '<sequenceFlow id="f2" sourceRef="fork" targetRef="merge"/>\n'
            '<sequenceFlow id="twice" sourceRef="merge" targetRef="t"/>\n'
            '<sequenceFlow id="f4" sourceRef="t" targetRef="e"/>\n'
        )
        + "</definitions>\n"
    )
    path = tmp_path / "unsafe.bpmn"
    path.write_text(text, encoding="utf-8")
    outcome = verify_paths([str(path)])
    unsafe = [d for d in outcome.diagnostics if d.code == "WF105"]
    assert unsafe and unsafe[0].span is not None
    assert unsafe[0].span.line == line_of(text, 'id="twice"')
    assert not outcome.load_failed


def test_hostile_nesting_is_a_located_error_not_a_crash() -> None:
    depth = 400
    inner = "".join(f'<subProcess id="s{i}">\n' for i in range(depth))
    inner += "</subProcess>\n" * depth
    result = load(process('<startEvent id="go"/>\n' + inner))
    error = the(result, "LD004")
    assert "nested deeper" in error.message and error.span is not None


def test_every_truncation_and_every_dropped_attribute_loads_without_raising() -> None:
    text = (
        HEAD
        + process(
            '<startEvent id="s"/>\n<exclusiveGateway id="gw" default="f2"/>\n'
            '<subProcess id="sub"><startEvent id="ss"/><endEvent id="se"/>'
            '<sequenceFlow id="i" sourceRef="ss" targetRef="se"/></subProcess>\n'
            '<boundaryEvent id="b" attachedToRef="sub"><timerEventDefinition/></boundaryEvent>\n'
            '<endEvent id="e"/>\n<sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>\n'
            '<sequenceFlow id="f1" sourceRef="gw" targetRef="sub">'
            "<conditionExpression>${n &gt; 2}</conditionExpression></sequenceFlow>\n"
            '<sequenceFlow id="f2" sourceRef="gw" targetRef="e"/>\n'
            '<sequenceFlow id="f3" sourceRef="sub" targetRef="e"/>\n'
            '<sequenceFlow id="f4" sourceRef="b" targetRef="e"/>\n'
        )
        + "</definitions>\n"
    )
    variants = [text[:cut] for cut in range(0, len(text), 5)]
    start = 0
    while (found := text.find('="', start)) != -1:  # drop each attribute value in turn
        end = text.index('"', found + 2)
        variants.append(text[:found] + '=""' + text[end + 1 :])
        start = end + 1
    for variant in variants:
        result = load_bpmn_text("v.bpmn", variant)
        for diagnostic in result.diagnostics:
            assert diagnostic.span is not None and diagnostic.span.line >= 1


def test_engine_assignee_and_retry_extensions() -> None:
    body = (
        '<process id="p" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
        ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">\n'
        '<startEvent id="s"/>\n'
        '<userTask id="approve" camunda:assignee="finance"/>\n'
        '<serviceTask id="charge"><extensionElements>'
        "<camunda:failedJobRetryTimeCycle>R5/PT1M30S</camunda:failedJobRetryTimeCycle>"
        "</extensionElements></serviceTask>\n"
        '<serviceTask id="ship"><extensionElements>'
        '<zeebe:taskDefinition type="ship" retries="3"/></extensionElements></serviceTask>\n'
        '<serviceTask id="odd" camunda:failedJobRetryTimeCycle="every minute"/>\n'
        '<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="approve"/>\n'
        '<sequenceFlow id="f1" sourceRef="approve" targetRef="charge"/>\n'
        '<sequenceFlow id="f2" sourceRef="charge" targetRef="ship"/>\n'
        '<sequenceFlow id="f3" sourceRef="ship" targetRef="odd"/>\n'
        '<sequenceFlow id="f4" sourceRef="odd" targetRef="e"/>\n'
        "</process>\n"
    )
    result = load(body)
    assert codes(result) == [("LD009", "odd")]
    workflow = only(result)
    approve, charge, ship = (workflow.node(i) for i in ("approve", "charge", "ship"))
    assert approve is not None and approve.assignee == "finance"
    assert charge is not None and charge.retry is not None
    assert (charge.retry.max_attempts, charge.retry.backoff_ms) == (5, 90_000)
    assert ship is not None and ship.retry is not None and ship.retry.max_attempts == 3


def test_zeebe_output_mappings_bound_what_a_task_writes() -> None:
    body = (
        '<process id="p" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">\n'
        '<startEvent id="s"/>\n'
        '<serviceTask id="score"><extensionElements><zeebe:ioMapping>'
        '<zeebe:output source="=result.ok" target="ok"/>'
        "</zeebe:ioMapping></extensionElements></serviceTask>\n"
        '<serviceTask id="other"/>\n'
        '<exclusiveGateway id="gw" default="f4"/>\n'
        '<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="score"/>\n'
        '<sequenceFlow id="f1" sourceRef="score" targetRef="other"/>\n'
        '<sequenceFlow id="f2" sourceRef="other" targetRef="gw"/>\n'
        '<sequenceFlow id="f3" sourceRef="gw" targetRef="e">'
        "<conditionExpression>= ok and n &gt; 2</conditionExpression></sequenceFlow>\n"
        '<sequenceFlow id="f4" sourceRef="gw" targetRef="e"/>\n'
        "</process>\n"
    )
    workflow = only(load(body))
    score, other = workflow.node("score"), workflow.node("other")
    assert score is not None and [a.target for a in score.sets] == ["ok"]
    assert other is not None and [a.target for a in other.sets] == ["n", "ok"]  # unbounded
    assert all(a.value is None for a in score.sets)  # the value is the job's: any
