#!/usr/bin/env python3
"""Three signers, two trusted and one rogue, evaluated against a LoadPolicy;
every attempt is logged and the log printed (the seed's enforce_load_policy).

    python3 enforce_load_policy.py OBJECT.bpf.o
"""

import sys

from pqc_ebpf_attestation import (
    AgentIdentity,
    AttestationLog,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    BPFSigner,
    LoadPolicy,
    PolicyDecision,
    PolicyRule,
)


def main(path: str) -> int:
    program = BPFProgram.from_file(BPFProgramMetadata(name="sample"), path)
    ops = AgentIdentity.create("ops-team", capabilities=["sign"])
    vendor = AgentIdentity.create("observability-vendor", capabilities=["sign"])
    rogue = AgentIdentity.create("rogue-insider", capabilities=["sign"])

    policy = LoadPolicy().add_rule(
        PolicyRule(
            program_types=(BPFProgramType.KPROBE, BPFProgramType.TRACEPOINT, BPFProgramType.XDP),
            allowed_signers=frozenset({ops.did, vendor.did}),
            name="trusted-signers",
        )
    )
    log = AttestationLog()
    unexpected = 0
    for who in (ops, vendor, rogue):
        signed = BPFSigner(who).sign(program)
        decision, reason = policy.evaluate(signed)
        log.log(signed, decision, reason, actor="admission-controller")
        expected = PolicyDecision.DENY if who is rogue else PolicyDecision.ALLOW
        unexpected += decision is not expected
        print(f"{who.name}: {decision.value} ({reason.code}) {reason}")

    print("\naudit log (newest first):")
    for entry in log.entries():
        print(f"  #{entry.seq} {entry.decision.value} {entry.reason_code} {entry.signer_did}")
    return 0 if unexpected == 0 and len(log) == 3 else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: enforce_load_policy.py OBJECT.bpf.o")
    sys.exit(main(sys.argv[1]))
