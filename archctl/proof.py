"""What a clean result rests on: one record per check or property that was proved.

A verifier that only says "no findings" asks to be trusted; a ``Proof`` says which check
held for which subject, which engine decided it, and, where the engine has one, a
certificate a reviewer can read (an inductive invariant, a ranking function, the number of
configurations explored, an unsat core size). Reports list them under ``"proved"``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Proof:
    spec: str
    check: str
    subject: str
    engine: str
    certificate: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {
            "spec": self.spec,
            "check": self.check,
            "subject": self.subject,
            "engine": self.engine,
        }
        if self.certificate is not None:
            out["certificate"] = self.certificate
        return out


def sort_proofs(proofs: list[Proof]) -> list[Proof]:
    """Canonical order, duplicates dropped, so the report is the same bytes every run.

    Two specs may share a name (imported BPMN processes or SCXML charts of different
    files), so proofs can tie on every field but the certificate, which may be None.
    """
    return sorted(set(proofs), key=_key)


def _key(proof: Proof) -> tuple[str, str, str, str, bool, str]:
    certificate = proof.certificate
    return (
        proof.spec,
        proof.check,
        proof.subject,
        proof.engine,
        certificate is not None,
        certificate or "",
    )
