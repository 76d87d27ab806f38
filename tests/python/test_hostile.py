"""Hostile input never crashes the module: mutated envelopes, objects and
arguments give a package exception (with a reason) or an invalid result."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random

import pytest

from pqc_ebpf_attestation import (
    BPFAttestationError,
    BPFVerifier,
    InvalidInputError,
    SignedBPFProgram,
    inspect_bytes,
)


def test_mutated_envelope_text_is_refused_or_invalid(signed: SignedBPFProgram) -> None:
    text = signed.to_json(include_bytecode=False).encode()
    rng = random.Random(1234)
    outcomes = {"refused": 0, "invalid": 0, "valid": 0}
    for _ in range(300):
        data = bytearray(text)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parsed = SignedBPFProgram.from_json(bytes(data), signed.program.bytecode)
        except InvalidInputError as e:
            assert e.reason in ("malformed_envelope", "unsupported_format")
            outcomes["refused"] += 1
            continue
        result = BPFVerifier.verify(parsed)
        outcomes["valid" if result.valid else "invalid"] += 1
        if result.valid:
            # Only a change the parser normalises away (e.g. inside JSON
            # whitespace) may still verify: the signed content is identical.
            assert parsed == signed
    assert outcomes["refused"] > 0


def test_mutated_object_never_verifies(signed: SignedBPFProgram) -> None:
    rng = random.Random(99)
    for _ in range(50):
        data = bytearray(signed.program.bytecode)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        tampered = dataclasses.replace(signed, program=dataclasses.replace(signed.program, bytecode=bytes(data)))
        result = BPFVerifier.verify(tampered)
        assert not result.valid and result.reason == "hash_mismatch"
        with pytest.raises(BPFAttestationError):
            inspect_bytes(bytes(data[: rng.randrange(1, len(data))]))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"manifest": "not an object", "public_key": "", "signature": ""},
        {"manifest": {"format": "pqc-bpf-manifest/9"}, "public_key": "AAAA", "signature": "AAAA"},
        {"manifest": {}, "public_key": 1, "signature": None},
        json.loads("[" * 50 + "]" * 50),
    ],
)
def test_hostile_envelope_dicts_are_refused(data: object) -> None:
    with pytest.raises(InvalidInputError):
        SignedBPFProgram.from_dict(data)  # type: ignore[arg-type]


def test_unserialisable_dict_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        SignedBPFProgram.from_dict({"manifest": object()})


def test_deeply_nested_manifest_is_refused(signed: SignedBPFProgram) -> None:
    deep = "[" * 100000 + "]" * 100000
    result = BPFVerifier.verify(dataclasses.replace(signed, manifest=deep))
    assert not result.valid and result.reason == "malformed_envelope"


def test_envelope_with_invalid_utf8_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        SignedBPFProgram.from_json(b'{"manifest": "\xff"}')


@pytest.mark.parametrize("field,value", [("program", "x"), ("program", None)])
def test_replaced_program_of_the_wrong_type(signed: SignedBPFProgram, field: str, value: object) -> None:
    from pqc_ebpf_attestation import AttestationLog, LoadPolicy, PolicyDecision

    odd = dataclasses.replace(signed, **{field: value})
    result = BPFVerifier.verify(odd)
    assert not result.valid and result.reason == "malformed_envelope"
    decision, reason = LoadPolicy(default_decision=PolicyDecision.ALLOW).evaluate(odd)
    assert decision is PolicyDecision.DENY and reason.code == "malformed_envelope"
    with pytest.raises(InvalidInputError):
        AttestationLog().log(odd, PolicyDecision.DENY, "odd")
    bad_md = dataclasses.replace(signed, program=dataclasses.replace(signed.program, metadata="md"))
    assert BPFVerifier.verify(bad_md).reason == "malformed_envelope"


def test_released_memoryview_is_invalid_input() -> None:
    from pqc_ebpf_attestation import BPFProgram

    view = memoryview(b"abc")
    view.release()
    with pytest.raises(InvalidInputError):
        BPFProgram.hash_bytecode(view)  # type: ignore[arg-type]
    view2 = memoryview(bytearray(b"abcdef"))[::2]
    assert BPFProgram.hash_bytecode(view2) == BPFProgram.hash_bytecode(b"ace")


def test_path_with_nul_byte_is_refused_not_shortened(tmp_path: pathlib.Path, signed: SignedBPFProgram) -> None:
    """A NUL would cut the path short in the system call: "secret\\0.bpf.o" read "secret"."""
    from pqc_ebpf_attestation import AgentIdentity, AttestationLog, BPFProgram, LoadPolicy

    secret = tmp_path / "secret"
    secret.write_text("rules: []\n")
    hostile = str(secret) + "\0.bpf.o"
    with pytest.raises(InvalidInputError, match="path contains a NUL byte"):
        BPFProgram.from_file(signed.program.metadata, hostile)
    with pytest.raises(InvalidInputError, match="path contains a NUL byte"):
        LoadPolicy.from_file(str(secret) + "\0.yaml")
    with pytest.raises(InvalidInputError, match="path contains a NUL byte"):
        signed.save(str(tmp_path / "out") + "\0.sig.json")
    with pytest.raises(InvalidInputError, match="path contains a NUL byte"):
        AttestationLog.open(str(tmp_path / "log") + "\0x", AgentIdentity.create("l", capabilities=["log"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"], "nothing was written"


def test_gate_reply_closes_its_descriptors_once() -> None:
    """close() twice (or ``with`` then close()) must not close a reused descriptor number."""
    import os

    from pqc_ebpf_attestation.gate import GateReply

    r, w = os.pipe()
    os.close(w)
    reply = GateReply(ok=True, decision=None, reason="", sentence="", log_seq=None, load_log_seq=None,
                      kernel_loaded=False, error=None, error_code=None, programs=(), maps=(), pin_dir="",
                      fds=(r,), json="{}")
    with reply:
        pass
    assert reply.fds == ()
    victim = os.open(os.devnull, os.O_RDONLY)  # likely reuses r's number
    try:
        reply.close()
        os.fstat(victim)  # raises if the second close() closed it
    finally:
        os.close(victim)
