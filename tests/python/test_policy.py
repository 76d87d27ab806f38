"""PolicyDecision, PolicyRule, LoadPolicy: evaluate, enforce, files, bad input."""

from __future__ import annotations

import dataclasses
import pathlib

import pytest

from pqc_ebpf_attestation import (
    AgentIdentity,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    BPFSigner,
    InvalidInputError,
    LoadPolicy,
    PolicyDecision,
    PolicyDeniedError,
    PolicyRule,
    SignedBPFProgram,
    UntrustedSignerError,
)


def kprobe_rule(*signers: str, **kw: object) -> PolicyRule:
    return PolicyRule(program_types=(BPFProgramType.KPROBE,), allowed_signers=frozenset(signers), **kw)  # type: ignore[arg-type]


def test_decision_values() -> None:
    assert PolicyDecision.ALLOW.value == "allow" and PolicyDecision.DENY.value == "deny"


def test_allowed_signer_is_allowed(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    policy = LoadPolicy().add_rule(kprobe_rule(identity.did))
    decision, reason = policy.evaluate(signed)
    assert decision is PolicyDecision.ALLOW
    assert reason.code == "allowed" and reason.rule_index == 0
    assert policy.enforce(signed).code == "allowed"


def test_rule_with_no_signers_allows_any_verified_signer(signed: SignedBPFProgram) -> None:
    decision, _ = LoadPolicy().add_rule(kprobe_rule()).evaluate(signed)
    assert decision is PolicyDecision.ALLOW


def test_untrusted_signer_is_denied(signed: SignedBPFProgram, other_identity: AgentIdentity) -> None:
    policy = LoadPolicy().add_rule(kprobe_rule(other_identity.did))
    decision, reason = policy.evaluate(signed)
    assert decision is PolicyDecision.DENY and reason.code == "untrusted_signer"
    assert signed.signer_did in reason
    with pytest.raises(UntrustedSignerError) as info:
        policy.enforce(signed)
    assert info.value.reason == "untrusted_signer"
    assert isinstance(info.value, PolicyDeniedError)


def test_no_rule_falls_to_the_default(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    xdp_only = PolicyRule(program_types=(BPFProgramType.XDP,), allowed_signers=frozenset({identity.did}))
    decision, reason = LoadPolicy().add_rule(xdp_only).evaluate(signed)
    assert decision is PolicyDecision.DENY and reason.code == "no_rule"
    with pytest.raises(PolicyDeniedError) as info:
        LoadPolicy().enforce(signed)
    assert info.value.reason == "no_rule" and not isinstance(info.value, UntrustedSignerError)
    decision, _ = LoadPolicy(default_decision=PolicyDecision.ALLOW).add_rule(xdp_only).evaluate(signed)
    assert decision is PolicyDecision.ALLOW


def test_size_cap(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    policy = LoadPolicy().add_rule(kprobe_rule(identity.did, max_bytecode_size=100))
    decision, reason = policy.evaluate(signed)
    assert decision is PolicyDecision.DENY and reason.code == "size_exceeded"


def test_tampered_object_is_denied_whatever_the_rule(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    evil = dataclasses.replace(signed.program, bytecode=signed.program.bytecode + b"\0")
    decision, reason = LoadPolicy().add_rule(kprobe_rule(identity.did)).evaluate(
        dataclasses.replace(signed, program=evil))
    assert decision is PolicyDecision.DENY and reason.code == "size_mismatch"


def test_self_declared_type_does_not_decide(identity: AgentIdentity, mixed_object: pathlib.Path) -> None:
    # The object holds a kprobe and an lsm program: a kprobe-only rule must
    # not let the lsm program through, whatever the metadata says.
    program = BPFProgram.from_file(BPFProgramMetadata(name="mixed"), mixed_object)
    signed = BPFSigner(identity).sign(program)
    decision, reason = LoadPolicy().add_rule(kprobe_rule(identity.did)).evaluate(signed)
    assert decision is PolicyDecision.DENY
    assert reason.code == "no_rule" and reason.program is not None


def test_revocations(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    policy = LoadPolicy().add_rule(kprobe_rule(identity.did)).revoke_signer(identity.did)
    with pytest.raises(UntrustedSignerError) as info:
        policy.enforce(signed)
    assert info.value.reason == "revoked_signer"
    policy = LoadPolicy().add_rule(kprobe_rule(identity.did)).revoke_object(signed.program.bytecode_hash.upper())
    decision, reason = policy.evaluate(signed)
    assert decision is PolicyDecision.DENY and reason.code == "revoked_object"


def test_rule_normalises_and_validates() -> None:
    rule = PolicyRule(program_types=["kprobe"], allowed_signers={"did:pqaid:" + "a" * 64})  # type: ignore[arg-type]
    assert rule.program_types == (BPFProgramType.KPROBE,)
    assert isinstance(rule.allowed_signers, frozenset)
    with pytest.raises(InvalidInputError):
        PolicyRule(program_types=(BPFProgramType.KPROBE,), allowed_signers=frozenset({"did:evil"}))
    with pytest.raises(InvalidInputError):
        PolicyRule(program_types=("nope",))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        PolicyRule(max_bytecode_size=-1)
    with pytest.raises(InvalidInputError):
        LoadPolicy().add_rule("rule")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        LoadPolicy().revoke_object("xyz")
    with pytest.raises(ValueError):
        LoadPolicy(default_decision="maybe")  # type: ignore[arg-type]


def test_from_file_reads_the_policy_format(tmp_path: pathlib.Path, signed: SignedBPFProgram,
                                           identity: AgentIdentity) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "default_decision: deny\n"
        "rules:\n"
        "  - name: probes\n"
        "    program_types: [kprobe, tracing]\n"
        f"    allowed_signers: [\"{identity.did}\"]\n"
        "    max_insns: 4096\n"
    )
    policy = LoadPolicy.from_file(path)
    assert policy.default_decision is PolicyDecision.DENY
    [rule] = policy.rules
    assert rule.name == "probes" and rule.max_insns == 4096
    assert rule.program_types == (BPFProgramType.KPROBE, BPFProgramType.TRACING)
    assert policy.evaluate(signed)[0] is PolicyDecision.ALLOW


def test_from_file_errors_name_file_and_line(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - program_types: [kprobe]\n    colour: blue\n")
    with pytest.raises(InvalidInputError) as info:
        LoadPolicy.from_file(path)
    assert "bad.yaml" in str(info.value) and "line 3" in str(info.value)
    assert info.value.reason == "parse_error"
    with pytest.raises(Exception) as missing:
        LoadPolicy.from_file(tmp_path / "none.yaml")
    assert getattr(missing.value, "reason", None) == "not_found"


def test_rules_is_a_list_as_in_the_seed(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    policy = LoadPolicy()
    policy.rules.append(kprobe_rule(identity.did))
    assert policy.evaluate(signed)[0] is PolicyDecision.ALLOW
    policy.rules.append("not a rule")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        policy.evaluate(signed)
