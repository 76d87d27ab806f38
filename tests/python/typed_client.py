"""A client written against the typed API; mypy --strict must accept it (run_mypy.py)."""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Tuple

from pqc_ebpf_attestation import (
    AgentIdentity,
    AttestationLog,
    AttestationLogEntry,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    BPFSigner,
    BPFVerifier,
    DecisionReason,
    GateClient,
    LoadPolicy,
    ObjectInfo,
    PolicyDecision,
    PolicyRule,
    SignedBPFProgram,
    VerificationResult,
    inspect,
)


def gate(path: str) -> Tuple[PolicyDecision, DecisionReason, List[AttestationLogEntry]]:
    metadata = BPFProgramMetadata(name="x", program_type=BPFProgramType.KPROBE, author="ops")
    program: BPFProgram = BPFProgram.from_file(metadata, path)
    identity = AgentIdentity.create("bpf-signer", capabilities=["sign"])
    signed: SignedBPFProgram = BPFSigner(identity).sign(program)
    result: VerificationResult = BPFVerifier.verify(signed)
    code: str = result.reason
    signer: Optional[str] = result.signer_did
    policy = LoadPolicy().add_rule(
        PolicyRule(program_types=(BPFProgramType.KPROBE,), allowed_signers=frozenset({identity.did}))
    )
    decision, reason = policy.evaluate(signed)
    log = AttestationLog(max_entries=10)
    log.log(signed, decision, reason, actor="ci")
    again = SignedBPFProgram.from_json(signed.to_json())
    changed = dataclasses.replace(again, signer_did=signer or code)
    info: ObjectInfo = inspect(path)
    names: List[str] = [p.name for p in info.programs]
    _ = (changed, names, LoadPolicy.from_file("policy.yaml").rules)
    return decision, reason, log.entries(decision=PolicyDecision.DENY)


def status() -> str:
    reply = GateClient.connect("/run/pqc-bpf/gate.sock").load(b"{}")
    return reply.reason if reply.decision is not None else ""
