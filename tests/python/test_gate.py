"""GateClient: errors without a daemon, and (when this test may start one)
a check through a real pqc-bpf-gated."""

from __future__ import annotations

import os
import pathlib
import subprocess
import time
from typing import TYPE_CHECKING

import pytest

from pqc_ebpf_attestation import BPFAttestationError, GateClient, InvalidInputError, SignedBPFProgram

if TYPE_CHECKING:
    from pqc_ebpf_attestation import AgentIdentity


def test_connect_to_missing_socket_raises(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BPFAttestationError) as info:
        GateClient.connect(str(tmp_path / "gate.sock"), timeout=1)
    assert info.value.reason in ("io_error", "not_found")
    assert "gate.sock" in str(info.value)


def test_connect_to_a_non_socket_raises(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "plain"
    path.write_text("x")
    with pytest.raises(BPFAttestationError):
        GateClient.connect(str(path), timeout=1)


def test_bad_timeout_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError):
        GateClient.connect(str(tmp_path / "gate.sock"), timeout=0)


def _start_daemon(tmp: pathlib.Path, policy_text: str, log_key: "AgentIdentity") -> "tuple[subprocess.Popen[bytes], str]":
    if os.geteuid() != 0:
        pytest.skip("pqc-bpf-gated is tested as root, as it runs")
    gated = os.environ.get("PQBPF_GATED")
    if not gated or not os.path.exists(gated):
        pytest.skip("PQBPF_GATED (pqc-bpf-gated) is not built")
    (tmp / "policy.yaml").write_text(policy_text)
    log_key.save(tmp / "log.key")
    (tmp / "state").mkdir()
    sock = tmp / "gate.sock"
    (tmp / "gated.yaml").write_text(
        "version: 1\n"
        f"policy: {tmp / 'policy.yaml'}\n"
        "log:\n"
        f"  path: {tmp / 'audit.log'}\n"
        "  durability: none\n"
        f"  checkpoint_key: {tmp / 'log.key'}\n"
        "socket:\n"
        f"  path: {sock}\n"
        '  mode: "0600"\n'
        f"allowed_uids: [{os.getuid()}]\n"
        # Not a bpffs: pins are refused, and this test pins and loads nothing.
        f"pin_root: {tmp / 'pins'}\n"
        f"state_dir: {tmp / 'state'}\n"
    )
    proc = subprocess.Popen([gated, "--config", str(tmp / "gated.yaml")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            out = proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
            proc.kill()
            proc.wait()
            pytest.fail(f"pqc-bpf-gated did not start: {out}")
        time.sleep(0.05)
    return proc, str(sock)


def test_gate_denies_an_untrusted_signer_without_loading(
    tmp_path: pathlib.Path, signed: SignedBPFProgram, other_identity: "AgentIdentity"
) -> None:
    from pqc_ebpf_attestation import AgentIdentity, PolicyDecision

    policy = (
        "rules:\n"
        "  - program_types: [kprobe]\n"
        f"    allowed_signers: [\"{other_identity.did}\"]\n"
    )
    proc, sock = _start_daemon(tmp_path, policy, AgentIdentity.create("audit-log", capabilities=["log"]))
    try:
        client = GateClient.connect(sock, timeout=10)
        status = client.status()
        assert isinstance(status, dict) and status
        with client.load(signed) as reply:
            assert reply.ok, reply.error
            assert reply.decision is PolicyDecision.DENY and reply.denied
            assert reply.reason == "untrusted_signer"
            assert not reply.loaded and reply.fds == ()
            assert reply.log_seq is not None
        with client.load(b"{not an envelope") as bad:
            assert bad.denied or not bad.ok
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_gate_loads_an_allowed_object_and_hands_over_its_descriptors(
    tmp_path: pathlib.Path, identity: "AgentIdentity"
) -> None:
    # Loads into the kernel (CTest: RESOURCE_LOCK bpf_kernel); nothing is
    # pinned, so closing the returned descriptors unloads it again.
    from pqc_ebpf_attestation import AgentIdentity, BPFProgram, BPFProgramMetadata, BPFSigner, PolicyDecision

    obj = pathlib.Path(os.environ.get("PQBPF_BINARY_DIR", "")) / "examples" / "bpf" / "socket_filter.bpf.o"
    if not obj.exists():
        pytest.skip(f"{obj} is not built")
    signed = BPFSigner(identity).sign(BPFProgram.from_file(BPFProgramMetadata(name="socket_filter"), obj))
    policy = (
        "rules:\n"
        "  - program_types: [socket_filter]\n"
        f"    allowed_signers: [\"{identity.did}\"]\n"
    )
    proc, sock = _start_daemon(tmp_path, policy, AgentIdentity.create("audit-log", capabilities=["log"]))
    try:
        client = GateClient.connect(sock, timeout=10)
        reply = client.load(signed, return_fds=True)
        try:
            assert reply.ok, reply.error
            assert reply.decision is PolicyDecision.ALLOW, reply.sentence
            if not reply.kernel_loaded:
                pytest.skip(f"the kernel refused the load here: {reply.sentence}")
            [program] = reply.programs
            assert program.id > 0 and program.fd in reply.fds
            with open(f"/proc/self/fdinfo/{program.fd}") as info:
                assert f"prog_id:\t{program.id}" in info.read()
            assert reply.load_log_seq is not None
        finally:
            reply.close()
        for fd in reply.fds:
            with pytest.raises(OSError):
                os.fstat(fd)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
