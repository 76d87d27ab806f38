"""AttestationLog and AttestationLogEntry: memory and file logs, filters, bad input."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess

import pytest

from pqc_ebpf_attestation import (
    AgentIdentity,
    AttestationLog,
    BPFAttestationError,
    BPFSigner,
    InvalidInputError,
    LoadPolicy,
    PolicyDecision,
    PolicyRule,
    SignedBPFProgram,
)


def test_memory_log_records_newest_first(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    log = AttestationLog(max_entries=10)
    first = log.log(signed, PolicyDecision.ALLOW, "looks fine", actor="ci")
    second = log.log(signed, PolicyDecision.DENY, "operator said no", actor="admin")
    assert len(log) == 2
    assert [e.seq for e in log.entries()] == [2, 1]
    assert log.entries()[0] == second and log.entries()[1] == first
    assert first.program_name == "open_counter" and first.program_type == "kprobe"
    assert first.bytecode_hash == signed.program.bytecode_hash
    assert first.signer_did == identity.did
    assert first.reason == "looks fine" and first.reason_code == "allowed"
    assert second.reason_code == "policy_error"
    assert first.timestamp.endswith("Z")
    assert [e.seq for e in log.entries(decision=PolicyDecision.DENY)] == [2]
    assert log.entries(signer_did="did:pqaid:" + "0" * 64) == []
    assert len(log.entries(limit=1)) == 1


def test_policy_reason_code_is_recorded(signed: SignedBPFProgram, other_identity: AgentIdentity) -> None:
    policy = LoadPolicy().add_rule(PolicyRule(program_types=("kprobe",), allowed_signers=frozenset({other_identity.did})))  # type: ignore[arg-type]
    decision, reason = policy.evaluate(signed)
    entry = AttestationLog().log(signed, decision, reason, actor="gate")
    assert entry.decision is PolicyDecision.DENY
    assert entry.reason_code == "untrusted_signer" and entry.reason == str(reason)
    # A verified but untrusted signer is still recorded: it is who signed.
    assert entry.signer_did == signed.signer_did


def test_unverified_signer_is_not_recorded_as_fact(signed: SignedBPFProgram) -> None:
    evil = dataclasses.replace(signed.program, bytecode=signed.program.bytecode + b"x")
    entry = AttestationLog().log(dataclasses.replace(signed, program=evil), PolicyDecision.DENY, "bad")
    assert entry.signer_did is None
    forged = dataclasses.replace(signed, signer_did="did:pqaid:" + "1" * 64)
    assert AttestationLog().log(forged, PolicyDecision.DENY, "bad").signer_did is None


def test_full_memory_log_refuses_instead_of_dropping(signed: SignedBPFProgram) -> None:
    log = AttestationLog(max_entries=1)
    log.log(signed, PolicyDecision.ALLOW, "ok")
    with pytest.raises(BPFAttestationError) as info:
        log.log(signed, PolicyDecision.ALLOW, "ok")
    assert info.value.reason == "log_error"
    assert len(log) == 1


def test_bad_arguments(signed: SignedBPFProgram) -> None:
    with pytest.raises(InvalidInputError):
        AttestationLog(max_entries=0)
    with pytest.raises(InvalidInputError):
        AttestationLog().log(signed, PolicyDecision.ALLOW, "ok", reason_code="made_up")
    with pytest.raises(ValueError):
        AttestationLog().log(signed, "maybe", "ok")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        AttestationLog().log("signed", PolicyDecision.ALLOW, "ok")  # type: ignore[arg-type]


def test_file_log_persists_and_verifies(tmp_path: pathlib.Path, signed: SignedBPFProgram) -> None:
    log_key = AgentIdentity.create("log-key", capabilities=["log"])
    key_path = tmp_path / "audit.log.key"
    log_key.save(key_path)
    path = tmp_path / "audit.log"
    with AttestationLog.open(path, log_key, checkpoint_every=2) as log:
        assert log.persistent
        for i in range(3):
            log.log(signed, PolicyDecision.ALLOW, f"attempt {i}", actor="py")
    reopened = AttestationLog.open(path, log_key)
    entries = reopened.entries()
    assert [e.reason for e in entries] == ["attempt 2", "attempt 1", "attempt 0"]
    assert len(reopened) == 3
    reopened.close()
    cli = os.environ.get("PQBPF_CLI")
    if cli:
        done = subprocess.run([cli, "log", "verify", str(path), "--key", str(key_path) + ".pub"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_file_log_in_missing_directory(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BPFAttestationError):
        AttestationLog.open(tmp_path / "no" / "audit.log", AgentIdentity.create("k", capabilities=["log"]))


def test_each_key_signs_only_what_it_was_made_for(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    """A signing key cannot sign the log, a log key cannot sign objects, no key may be both."""
    with pytest.raises(BPFAttestationError, match="may not sign the audit log"):
        AttestationLog.open(tmp_path / "audit.log", identity)
    assert not (tmp_path / "audit.log").exists()
    log_key = AgentIdentity.create("audit-log", capabilities=["log"])
    with pytest.raises(BPFAttestationError, match="may not sign BPF objects"):
        BPFSigner(log_key)
    with pytest.raises(BPFAttestationError, match="both capabilities"):
        AgentIdentity.create("both", capabilities=["sign", "log"])
