"""Fixtures for the Python module's tests: objects built by the build tree
(clang -target bpf), fresh identities, and a signed program."""

from __future__ import annotations

import os
import pathlib
from typing import Iterator

import pytest

from pqc_ebpf_attestation import (
    AgentIdentity,
    BPFProgram,
    BPFProgramMetadata,
    BPFProgramType,
    BPFSigner,
    SignedBPFProgram,
)


def _built_object(name: str) -> pathlib.Path:
    binary_dir = os.environ.get("PQBPF_BINARY_DIR")
    if not binary_dir:
        pytest.skip("PQBPF_BINARY_DIR is not set (run through ctest)")
    path = pathlib.Path(binary_dir) / "src" / "attest" / name
    if not path.exists():
        pytest.skip(f"{path} is not built")
    return path


@pytest.fixture(scope="session")
def kprobe_object() -> pathlib.Path:
    """One kprobe program (kprobe/do_sys_openat2), one hash map, GPL."""
    return _built_object("attest_kprobe.bpf.o")


@pytest.fixture(scope="session")
def mixed_object() -> pathlib.Path:
    """A kprobe and an lsm program in one object."""
    return _built_object("attest_mixed.bpf.o")


@pytest.fixture(scope="session")
def identity() -> AgentIdentity:
    return AgentIdentity.create("test-signer", capabilities=["sign"])


@pytest.fixture(scope="session")
def other_identity() -> AgentIdentity:
    return AgentIdentity.create("rogue-signer", capabilities=["sign"])


@pytest.fixture()
def signed(identity: AgentIdentity, kprobe_object: pathlib.Path) -> SignedBPFProgram:
    metadata = BPFProgramMetadata(
        name="open_counter", program_type=BPFProgramType.KPROBE, author="ops", attach_point="do_sys_openat2"
    )
    return BPFSigner(identity).sign(BPFProgram.from_file(metadata, kprobe_object))


@pytest.fixture()
def workdir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
