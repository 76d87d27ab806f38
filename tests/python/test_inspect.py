"""inspect() / inspect_bytes(): programs and maps read from the object's bytes."""

from __future__ import annotations

import pathlib

import pytest

from pqc_ebpf_attestation import BPFAttestationError, InvalidInputError, ProgramNotFoundError, inspect, inspect_bytes


def test_inspect_lists_programs_and_maps(kprobe_object: pathlib.Path) -> None:
    info = inspect(kprobe_object)
    [program] = info.programs
    assert program.section == "kprobe/do_sys_openat2"
    assert program.type == "kprobe" and program.kernel_type == "kprobe"
    assert program.attach_target == "do_sys_openat2"
    assert program.insn_count > 0 and len(program.insn_sha3_256) == 64
    assert [m.name for m in info.maps] == ["open_counts"]
    assert info.license == "GPL"
    assert inspect_bytes(kprobe_object.read_bytes()) == info


def test_inspect_mixed_object(mixed_object: pathlib.Path) -> None:
    assert sorted(p.type for p in inspect(mixed_object).programs) == ["kprobe", "lsm"]


def test_inspect_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ProgramNotFoundError):
        inspect(tmp_path / "none.bpf.o")


@pytest.mark.parametrize("data", [b"", b"hello", b"\x7fELF" + b"\0" * 60, b"\x7fELF\x02\x01\x01" + b"\xff" * 200])
def test_inspect_garbage_is_an_error_not_a_crash(data: bytes) -> None:
    with pytest.raises(BPFAttestationError) as info:
        inspect_bytes(data, label="junk.o")
    assert isinstance(info.value, InvalidInputError)
    assert "junk.o" in str(info.value)


def test_truncated_object_is_an_error(kprobe_object: pathlib.Path) -> None:
    data = kprobe_object.read_bytes()
    for cut in (64, len(data) // 2, len(data) - 1):
        with pytest.raises(InvalidInputError):
            inspect_bytes(data[:cut])
