"""The same concurrent models for archctl (YAML `kind: system`) and SPIN (Promela).

Families (each also a verdict both tools must agree on):

- ``philosophers-naive N``: every philosopher takes its left fork, then its right one, over
  rendezvous channels with one fork process each: deadlocks (all hold their left fork).
- ``philosophers-ordered N``: the same, but each takes its lower-numbered fork first: no
  deadlock.
- ``two-phase-commit N``: a coordinator and N participants (votes on one buffered channel,
  decisions on one channel per participant); commit only on N yes votes: no deadlock, and
  never committed while a participant aborted.
- ``alternating-bit K``: a sender delivers K messages to a receiver through a medium that
  may lose each frame (data and acknowledgement); the sender retransmits after a loss; the
  receiver delivers each message exactly once, in order: no deadlock, the invariant holds.

Each function returns ``(yaml_text, promela_text)``.
"""

from __future__ import annotations

import argparse


def philosophers(n: int, ordered: bool) -> tuple[str, str]:
    def forks(i: int) -> tuple[int, int]:
        left, right = i, (i + 1) % n
        return (min(left, right), max(left, right)) if ordered else (left, right)

    # one machine per philosopher: the fork order differs for the last one (no modulo in
    # expressions), and SPIN runs one proctype instance per philosopher the same way
    docs = []
    for i in range(n):
        first, second = forks(i)
        docs.append(
            "\n".join(
                [
                    "kind: statemachine",
                    f"name: phil{i}",
                    "states: [thinking, one, eating, putting]",
                    "initial: thinking",
                    "transitions:",
                    f'  - {{from: thinking, to: one, send: "take[{first}]!t"}}',
                    f'  - {{from: one, to: eating, send: "take[{second}]!t"}}',
                    f'  - {{from: eating, to: putting, send: "put[{first}]!t"}}',
                    f'  - {{from: putting, to: thinking, send: "put[{second}]!t"}}',
                ]
            )
        )
    docs.append(
        "\n".join(
            [
                "kind: statemachine",
                "name: fork",
                "states: [free, held]",
                "initial: free",
                "transitions:",
                '  - {from: free, to: held, receive: "take[self]?t"}',
                '  - {from: held, to: free, receive: "put[self]?t"}',
            ]
        )
    )
    components = "\n".join(f"  p{i}: {{machine: phil{i}}}" for i in range(n))
    docs.append(
        f"kind: system\nname: philosophers\ncomponents:\n{components}\n"
        f"  fork: {{machine: fork, count: {n}}}\n"
        f"channels:\n  take: {{capacity: 0, count: {n}}}\n  put: {{capacity: 0, count: {n}}}"
    )
    procs = []
    for i in range(n):
        first, second = forks(i)
        procs.append(
            f"active proctype phil{i}() {{\n"
            f"end: do :: take[{first}]!1; take[{second}]!1; put[{first}]!1; put[{second}]!1 od\n}}"
        )
    promela = "\n".join(
        [
            f"#define N {n}",
            "chan take[N] = [0] of {bit};",
            "chan put[N] = [0] of {bit};",
            "proctype fork(byte i) {",
            "end: do :: take[i]?1; put[i]?1 od",
            "}",
            *procs,
            "init { byte k = 0; atomic { do :: k < N -> run fork(k); k++ :: else -> break od } }",
        ]
    )
    return "\n---\n".join(docs) + "\n", promela + "\n"


def two_phase_commit(n: int) -> tuple[str, str]:
    yaml_text = f"""kind: statemachine
name: coordinator
variables:
  got: {{type: int, range: [0, {n}], initial: 0}}
  yes: {{type: int, range: [0, {n}], initial: 0}}
  i: {{type: int, range: [0, {n}], initial: 0}}
states: [collecting, commit, abort, committed, aborted]
initial: collecting
final: [committed, aborted]
transitions:
  - {{from: collecting, to: collecting, receive: "votes?yes", do: "got = got + 1; yes = yes + 1"}}
  - {{from: collecting, to: collecting, receive: "votes?no", do: "got = got + 1"}}
  - {{from: collecting, to: commit, guard: "got == {n} and yes == {n}"}}
  - {{from: collecting, to: abort, guard: "got == {n} and yes < {n}"}}
  - {{from: commit, to: commit, guard: "i < {n}", send: "decision[i]!commit", do: "i = i + 1"}}
  - {{from: commit, to: committed, guard: "i == {n}"}}
  - {{from: abort, to: abort, guard: "i < {n}", send: "decision[i]!abort", do: "i = i + 1"}}
  - {{from: abort, to: aborted, guard: "i == {n}"}}
---
kind: statemachine
name: participant
states: [working, voted_yes, voted_no, committed, aborted]
initial: working
final: [committed, aborted]
transitions:
  - {{from: working, to: voted_yes, send: "votes!yes"}}
  - {{from: working, to: voted_no, send: "votes!no"}}
  - {{from: voted_yes, to: committed, receive: "decision[self]?commit"}}
  - {{from: voted_yes, to: aborted, receive: "decision[self]?abort"}}
  - {{from: voted_no, to: aborted, receive: "decision[self]?abort"}}
---
kind: system
name: two-phase-commit
components:
  coordinator: {{machine: coordinator}}
  participant: {{machine: participant, count: {n}}}
channels:
  votes: {{capacity: {n}}}
  decision: {{capacity: 1, count: {n}}}
properties:
  - {{name: atomic,
     never: "coordinator.state == \\"committed\\" and participant[0].state == \\"aborted\\""}}
"""
    promela = f"""#define N {n}
mtype = {{ yes, no, commit, abort }};
chan votes = [N] of {{ mtype }};
chan decision[N] = [1] of {{ mtype }};
byte cstate = 0;  /* 0 collecting, 1 committed, 2 aborted */
byte pstate[N];   /* 0 working, 1 voted yes, 2 voted no, 3 committed, 4 aborted */
active proctype coordinator() {{
  byte got = 0, yes_votes = 0, i = 0;
  do
  :: got < N -> if :: votes?yes -> yes_votes++ :: votes?no fi; got++
  :: got == N -> break
  od;
  if
  :: yes_votes == N -> do :: i < N -> decision[i]!commit; i++ :: i == N -> break od;
     cstate = 1; assert(!(cstate == 1 && pstate[0] == 4))
  :: yes_votes < N -> do :: i < N -> decision[i]!abort; i++ :: i == N -> break od; cstate = 2
  fi
}}
proctype participant(byte me) {{
  if
  :: votes!yes; pstate[me] = 1;
     if :: decision[me]?commit -> pstate[me] = 3 :: decision[me]?abort -> pstate[me] = 4 fi
  :: votes!no; pstate[me] = 2; decision[me]?abort; pstate[me] = 4
  fi;
  assert(!(cstate == 1 && pstate[0] == 4))
}}
init {{ byte k = 0; atomic {{ do :: k < N -> run participant(k); k++ :: else -> break od }} }}
"""
    return yaml_text, promela


def alternating_bit(k: int) -> tuple[str, str]:
    yaml_text = f"""kind: statemachine
name: abp-sender
variables:
  sent: {{type: int, range: [0, {k}], initial: 0}}
  bit: {{type: int, range: [0, 1], initial: 0}}
  ack: {{type: int, range: [0, 1], initial: 0}}
states: [ready, waiting, resend, done]
initial: ready
final: [done]
transitions:
  - {{from: ready, to: waiting, guard: "sent < {k}", send: "to_medium!data(bit)"}}
  - {{from: waiting, to: ready, receive: "to_sender?ack(ack)", guard: "ack == bit",
     do: "sent = sent + 1; bit = 1 - bit"}}
  - {{from: waiting, to: resend, receive: "to_sender?lost"}}
  - {{from: resend, to: waiting, send: "to_medium!data(bit)"}}
  - {{from: ready, to: done, guard: "sent == {k}"}}
---
kind: statemachine
name: abp-medium
variables:
  b: {{type: int, range: [0, 1], initial: 0}}
states: [idle, carry_data, carry_ack]
initial: idle
final: [idle]
transitions:
  - {{from: idle, to: carry_data, receive: "to_medium?data(b)"}}
  - {{from: carry_data, to: idle, send: "to_receiver!data(b)"}}
  - {{from: carry_data, to: idle, send: "to_sender!lost", description: "the frame is lost"}}
  - {{from: idle, to: carry_ack, receive: "to_medium?ack(b)"}}
  - {{from: carry_ack, to: idle, send: "to_sender!ack(b)"}}
  - {{from: carry_ack, to: idle, send: "to_sender!lost", description: "the ack is lost"}}
---
kind: statemachine
name: abp-receiver
variables:
  expect: {{type: int, range: [0, 1], initial: 0}}
  delivered: {{type: int, range: [0, {k}], initial: 0}}
  b: {{type: int, range: [0, 1], initial: 0}}
states: [listening, acking]
initial: listening
final: [listening]
transitions:
  - {{from: listening, to: acking, receive: "to_receiver?data(b)", guard: "b == expect",
     do: "delivered = delivered + 1; expect = 1 - expect"}}
  - {{from: listening, to: acking, receive: "to_receiver?data(b)", guard: "b != expect"}}
  - {{from: acking, to: listening, send: "to_medium!ack(b)"}}
---
kind: system
name: alternating-bit
components:
  sender: {{machine: abp-sender}}
  medium: {{machine: abp-medium}}
  receiver: {{machine: abp-receiver}}
channels:
  to_medium: {{capacity: 1}}
  to_receiver: {{capacity: 1}}
  to_sender: {{capacity: 1}}
properties:
  - {{name: in-order,
     always: "receiver.delivered == sender.sent or receiver.delivered == sender.sent + 1"}}
"""
    promela = f"""#define K {k}
mtype = {{ data, ack, lost }};
chan to_medium = [1] of {{ mtype, bit }};
chan to_receiver = [1] of {{ mtype, bit }};
chan to_sender = [1] of {{ mtype, bit }};
byte sent = 0, delivered = 0;
active proctype sender() {{
  bit b = 0, a;
  do
  :: sent < K ->
     to_medium!data(b);
     do
     :: to_sender?ack(a) -> a == b; sent++; b = 1 - b;
        assert(delivered == sent || delivered == sent + 1); break
     :: to_sender?lost(a) -> to_medium!data(b)
     od
  :: sent == K -> break
  od
}}
active proctype medium() {{
  bit v;
end: do
  :: to_medium?data(v) -> if :: to_receiver!data(v) :: to_sender!lost(0) fi
  :: to_medium?ack(v) -> if :: to_sender!ack(v) :: to_sender!lost(0) fi
  od
}}
active proctype receiver() {{
  bit expect = 0, v;
end: do
  :: to_receiver?data(v) ->
     if
     :: v == expect -> delivered++; expect = 1 - expect;
        assert(delivered == sent || delivered == sent + 1)
     :: else -> skip
     fi;
     to_medium!ack(v)
  od
}}
"""
    return yaml_text, promela


MODELS = {
    "philosophers-naive": lambda n: philosophers(n, ordered=False),
    "philosophers-ordered": lambda n: philosophers(n, ordered=True),
    "two-phase-commit": two_phase_commit,
    "alternating-bit": alternating_bit,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("size", type=int)
    parser.add_argument("prefix", help="writes PREFIX.yaml and PREFIX.pml")
    args = parser.parse_args()
    yaml_text, promela = MODELS[args.model](args.size)
    with open(args.prefix + ".yaml", "w", encoding="utf-8") as handle:
        handle.write(yaml_text)
    with open(args.prefix + ".pml", "w", encoding="utf-8") as handle:
        handle.write(promela)


if __name__ == "__main__":
    main()
