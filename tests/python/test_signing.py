"""BPFSigner, SignedBPFProgram, BPFVerifier, VerificationResult.

Each field a caller reads is checked against what is signed: replacing any
of them (dataclasses.replace) gives an invalid result with a reason code,
where the seed's claimed, unsigned fields passed."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess

import pytest

from pqc_ebpf_attestation import (
    AgentIdentity,
    BPFAttestationError,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    BPFSigner,
    BPFVerifier,
    InvalidInputError,
    ProgramHashMismatchError,
    SignatureVerificationError,
    SignedBPFProgram,
    VerificationResult,
)


def test_sign_then_verify_is_valid(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    result = BPFVerifier.verify(signed)
    assert result == VerificationResult(
        valid=True, signature_valid=True, hash_consistent=True, error=None,
        program_name="open_counter", signer_did=identity.did, reason="allowed", programs_consistent=True,
    )
    assert signed.signer_did == identity.did
    assert signed.algorithm == "ML-DSA-65"
    assert len(signed.signature) == 3309
    assert signed.public_key == identity.public_key
    assert signed.signed_at.endswith("Z")
    assert BPFSigner(identity).identity is identity


def test_unspec_type_is_inferred_from_the_object(identity: AgentIdentity, kprobe_object: pathlib.Path) -> None:
    program = BPFProgram.from_file(BPFProgramMetadata(name="n"), kprobe_object)
    signed = BPFSigner(identity).sign(program)
    assert signed.program.metadata.program_type is BPFProgramType.KPROBE
    assert BPFVerifier.verify(signed).valid


def test_declared_type_contradicted_by_the_object_is_refused(
    identity: AgentIdentity, kprobe_object: pathlib.Path
) -> None:
    program = BPFProgram.from_file(BPFProgramMetadata(name="n", program_type=BPFProgramType.XDP), kprobe_object)
    with pytest.raises(InvalidInputError) as info:
        BPFSigner(identity).sign(program)
    assert info.value.reason == "invalid_argument"


def test_bytes_that_are_not_a_bpf_object_are_not_signed(identity: AgentIdentity) -> None:
    program = BPFProgram.from_bytes(BPFProgramMetadata(name="n", program_type=BPFProgramType.KPROBE), b"hello")
    with pytest.raises(InvalidInputError) as info:
        BPFSigner(identity).sign(program)
    assert info.value.reason == "parse_error"


def test_signer_needs_our_identity() -> None:
    with pytest.raises(InvalidInputError):
        BPFSigner("did:pqaid:" + "0" * 64)  # type: ignore[arg-type]


def test_tampered_bytecode_fails_hash_check(signed: SignedBPFProgram) -> None:
    evil = bytearray(signed.program.bytecode)
    evil[-1] ^= 1
    tampered = dataclasses.replace(signed, program=dataclasses.replace(signed.program, bytecode=bytes(evil)))
    result = BPFVerifier.verify(tampered)
    assert not result.valid and not result.hash_consistent
    assert result.signature_valid
    assert result.reason == "hash_mismatch"
    with pytest.raises(ProgramHashMismatchError) as info:
        BPFVerifier.verify_or_raise(tampered)
    assert info.value.reason == "hash_mismatch"


def test_claimed_signer_did_must_be_the_signed_one(signed: SignedBPFProgram, other_identity: AgentIdentity) -> None:
    result = BPFVerifier.verify(dataclasses.replace(signed, signer_did=other_identity.did))
    assert not result.valid and result.reason == "did_mismatch"
    assert result.signer_did is None


def test_swapped_public_key_breaks_the_did_binding(signed: SignedBPFProgram, other_identity: AgentIdentity) -> None:
    result = BPFVerifier.verify(dataclasses.replace(signed, public_key=other_identity.public_key))
    assert not result.valid and result.reason == "did_mismatch"
    assert not result.signature_valid and result.signer_did is None


def test_replaced_metadata_is_not_signed(signed: SignedBPFProgram) -> None:
    md = dataclasses.replace(signed.program.metadata, program_type=BPFProgramType.XDP)
    result = BPFVerifier.verify(dataclasses.replace(signed, program=dataclasses.replace(signed.program, metadata=md)))
    assert not result.valid and result.reason == "bad_signature"
    assert not result.signature_valid and result.signer_did is None


def test_replaced_signed_at_and_algorithm_are_not_signed(signed: SignedBPFProgram) -> None:
    r1 = BPFVerifier.verify(dataclasses.replace(signed, signed_at="2020-01-01T00:00:00Z"))
    assert not r1.valid and r1.reason == "bad_signature"
    r2 = BPFVerifier.verify(dataclasses.replace(signed, algorithm="Ed25519"))
    assert not r2.valid and r2.reason == "unsupported_format"


def test_claimed_bytecode_hash_must_match(signed: SignedBPFProgram) -> None:
    program = dataclasses.replace(signed.program, bytecode_hash="0" * 64)
    result = BPFVerifier.verify(dataclasses.replace(signed, program=program))
    assert not result.valid and result.reason == "hash_mismatch"


def test_flipped_signature_bit_fails(signed: SignedBPFProgram) -> None:
    sig = bytearray(signed.signature)
    sig[100] ^= 0x10
    result = BPFVerifier.verify(dataclasses.replace(signed, signature=bytes(sig)))
    assert not result.valid and result.reason == "bad_signature" and not result.signature_valid
    with pytest.raises(SignatureVerificationError):
        BPFVerifier.verify_or_raise(dataclasses.replace(signed, signature=bytes(sig)))


def test_hand_built_envelope_without_manifest_is_malformed(signed: SignedBPFProgram) -> None:
    forged = SignedBPFProgram(
        program=signed.program, signer_did=signed.signer_did, algorithm="ML-DSA-65",
        signature=signed.signature, public_key=signed.public_key, signed_at=signed.signed_at,
    )
    result = BPFVerifier.verify(forged)
    assert not result.valid and result.reason == "malformed_envelope"


def test_wrong_field_types_are_invalid_not_crashes(signed: SignedBPFProgram) -> None:
    result = BPFVerifier.verify(dataclasses.replace(signed, signature="not bytes"))  # type: ignore[arg-type]
    assert not result.valid and result.reason == "malformed_envelope"
    result = BPFVerifier.verify("nothing")  # type: ignore[arg-type]
    assert not result.valid


def test_json_round_trip_embeds_the_object(signed: SignedBPFProgram) -> None:
    text = signed.to_json()
    again = SignedBPFProgram.from_json(text)
    assert again == signed
    assert BPFVerifier.verify(again).valid
    assert SignedBPFProgram.from_dict(signed.to_dict()) == signed


def test_envelope_without_object_verifies_only_with_it(signed: SignedBPFProgram) -> None:
    text = signed.to_json(include_bytecode=False)
    assert "object" not in json.loads(text)
    bare = SignedBPFProgram.from_json(text)
    result = BPFVerifier.verify(bare)
    assert not result.valid and result.reason == "object_missing"
    assert BPFVerifier.verify(SignedBPFProgram.from_json(text, signed.program.bytecode)).valid


def test_embedded_and_given_objects_must_agree(signed: SignedBPFProgram) -> None:
    with pytest.raises(InvalidInputError) as info:
        SignedBPFProgram.from_json(signed.to_json(), b"other bytes")
    assert info.value.reason == "object_conflict"


@pytest.mark.parametrize(
    "text",
    ["", "{", "[]", '{"manifest": {}, "public_key": "", "signature": ""}', "\x00" * 10],
)
def test_malformed_envelope_text_raises(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        SignedBPFProgram.from_json(text)
    assert info.value.reason in ("malformed_envelope", "unsupported_format")


def test_unknown_envelope_key_is_refused(signed: SignedBPFProgram) -> None:
    d = signed.to_dict()
    d["extra"] = 1
    with pytest.raises(InvalidInputError):
        SignedBPFProgram.from_dict(d)


def test_files_interoperate_with_the_cli(signed: SignedBPFProgram, workdir: pathlib.Path) -> None:
    obj = workdir / "x.bpf.o"
    obj.write_bytes(signed.program.bytecode)
    env = workdir / "x.bpf.o.sig.json"
    signed.save(env)
    assert "object" not in json.loads(env.read_text())
    with pytest.raises(BPFAttestationError) as info:
        signed.save(env)
    assert info.value.reason == "already_exists"
    signed.save(env, overwrite=True)
    assert BPFVerifier.verify_file(env).valid
    loaded = SignedBPFProgram.load(env)
    assert loaded == signed
    cli = os.environ.get("PQBPF_CLI")
    if cli:
        done = subprocess.run([cli, "verify", str(env)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        obj.write_bytes(signed.program.bytecode + b"\0")
        assert subprocess.run([cli, "verify", str(env)], capture_output=True).returncode == 1
        result = BPFVerifier.verify_file(env)
        assert not result.valid and result.reason == "size_mismatch"


def test_version_is_the_project_version() -> None:
    import pqc_ebpf_attestation

    assert pqc_ebpf_attestation.__version__.count(".") == 2
    cli = os.environ.get("PQBPF_CLI")
    if cli:
        out = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
        assert pqc_ebpf_attestation.__version__ in out


def test_verify_file_of_missing_envelope_is_invalid(tmp_path: pathlib.Path) -> None:
    result = BPFVerifier.verify_file(tmp_path / "none.sig.json")
    assert not result.valid and result.error and "none.sig.json" in result.error


def test_format_1_manifest_still_verifies(identity: AgentIdentity, kprobe_object: pathlib.Path) -> None:
    program = BPFProgram.from_file(BPFProgramMetadata(name="n", program_type=BPFProgramType.KPROBE), kprobe_object)
    signed = BPFSigner(identity).sign(program, manifest_format=1)
    result = BPFVerifier.verify(signed)
    assert result.valid and result.programs_consistent is None
