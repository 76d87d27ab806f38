"""The seed's README quick start, unchanged except for the identity import
(ours instead of quantumshield's), runs as written."""

from __future__ import annotations

import pathlib
import shutil


def test_seed_quick_start_runs(kprobe_object: pathlib.Path, workdir: pathlib.Path) -> None:
    shutil.copy(kprobe_object, workdir / "trace.bpf.o")

    # ---- the seed's quick start; only the first import differs ----
    from pqc_ebpf_attestation import AgentIdentity

    from pqc_ebpf_attestation import (
        AttestationLog,
        BPFProgram,
        BPFProgramMetadata,
        BPFProgramType,
        BPFSigner,
        BPFVerifier,
        LoadPolicy,
        PolicyRule,
    )

    # 1. Load and sign a compiled eBPF object.
    metadata = BPFProgramMetadata(
        name="trace_sys_enter_read",
        program_type=BPFProgramType.KPROBE,
        attach_point="sys_enter_read",
        author="ops-team",
    )
    program = BPFProgram.from_file(metadata, "trace.bpf.o")

    identity = AgentIdentity.create("bpf-signer", capabilities=["sign"])
    signer = BPFSigner(identity)
    signed = signer.sign(program)

    # 2. Verify independently.
    result = BPFVerifier.verify(signed)
    assert result.valid

    # 3. Enforce a policy at load time.
    policy = LoadPolicy().add_rule(
        PolicyRule(
            program_types=(BPFProgramType.KPROBE, BPFProgramType.TRACING),
            allowed_signers=frozenset({identity.did}),
        )
    )
    log = AttestationLog()
    decision, reason = policy.evaluate(signed)
    log.log(signed, decision, reason, actor="admission-controller")

    if decision.value == "deny":
        raise SystemExit(f"blocked: {reason}")

    # ... now hand `signed.program.bytecode` to bpf_prog_load().
    # ---- end of the quick start ----

    assert decision.value == "allow"
    assert reason.code == "allowed"
    assert signed.program.bytecode == (workdir / "trace.bpf.o").read_bytes()
    [entry] = log.entries()
    assert entry.actor == "admission-controller"
    assert entry.signer_did == identity.did
    assert entry.decision.value == "allow"
