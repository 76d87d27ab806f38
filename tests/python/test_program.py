"""BPFProgramType, BPFProgramMetadata, BPFProgram: values, validation, bad input."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pathlib

import pytest

from pqc_ebpf_attestation import (
    REASON_CODES,
    BPFAttestationError,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    InvalidInputError,
    ProgramNotFoundError,
    _native,
)


def test_program_type_values_are_the_library_names() -> None:
    assert [t.value for t in BPFProgramType] == _native.program_type_names()
    assert BPFProgramType.KPROBE.value == "kprobe"
    assert BPFProgramType("kretprobe") is BPFProgramType.KRETPROBE


def test_reason_codes_are_the_library_codes() -> None:
    assert "allowed" in REASON_CODES and "untrusted_signer" in REASON_CODES
    assert REASON_CODES == tuple(_native.reason_codes())
    # Every code, the sandbox's and the capability checks' included, once.
    for code in ("no_matching_envelope", "map_mismatch", "capability_denied", "caller_not_permitted"):
        assert code in REASON_CODES
    assert len(set(REASON_CODES)) == len(REASON_CODES)


def test_metadata_keyword_constructor_and_string_type() -> None:
    md = BPFProgramMetadata(
        name="n", program_type="xdp", license="GPL", author="a", description="d",
        version="1.0", kernel_min="5.15", attach_point="eth0",
    )
    assert md.program_type is BPFProgramType.XDP
    assert dataclasses.replace(md, name="m").name == "m"
    with pytest.raises(dataclasses.FrozenInstanceError):
        md.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": ""},
        {"name": "bad\nname"},
        {"name": "x" * 257},
        {"name": "n", "kernel_min": "five"},
        {"name": "n", "author": "\x1b[31mred"},
    ],
)
def test_metadata_bad_field_raises_invalid_input(kwargs: dict) -> None:
    with pytest.raises(InvalidInputError) as info:
        BPFProgramMetadata(**kwargs)
    assert info.value.reason in ("invalid_argument", "limit_exceeded")
    assert isinstance(info.value, ValueError)


def test_metadata_unknown_program_type_raises() -> None:
    with pytest.raises(InvalidInputError) as info:
        BPFProgramMetadata(name="n", program_type="not_a_type")
    assert info.value.reason == "invalid_argument"


def test_from_bytes_hashes_with_sha3_256() -> None:
    data = b"\x7fELF not really"
    program = BPFProgram.from_bytes(BPFProgramMetadata(name="n"), data)
    assert program.bytecode == data
    assert program.bytecode_hash == hashlib.sha3_256(data).hexdigest()
    assert BPFProgram.hash_bytecode(data) == hashlib.sha3_256(data).hexdigest()
    assert BPFProgram.hash_bytecode(bytearray(data)) == hashlib.sha3_256(data).hexdigest()


def test_from_file_reads_the_object(kprobe_object: pathlib.Path) -> None:
    program = BPFProgram.from_file(BPFProgramMetadata(name="n"), kprobe_object)
    assert program.bytecode == kprobe_object.read_bytes()


def test_from_file_missing_raises_program_not_found(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ProgramNotFoundError) as info:
        BPFProgram.from_file(BPFProgramMetadata(name="n"), tmp_path / "missing.bpf.o")
    assert info.value.reason == "not_found"
    assert "missing.bpf.o" in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_from_file_fifo_is_refused_without_blocking(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "fifo.bpf.o"
    os.mkfifo(fifo)
    with pytest.raises(BPFAttestationError) as info:
        BPFProgram.from_file(BPFProgramMetadata(name="n"), fifo)
    assert "not a regular file" in str(info.value)


def test_from_file_directory_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BPFAttestationError):
        BPFProgram.from_file(BPFProgramMetadata(name="n"), tmp_path)


def test_hash_bytecode_rejects_non_bytes() -> None:
    with pytest.raises(InvalidInputError):
        BPFProgram.hash_bytecode("text")  # type: ignore[arg-type]
