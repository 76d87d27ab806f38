"""The GIL is released while the library hashes, signs, verifies and does
file I/O: another Python thread keeps running during the call."""

from __future__ import annotations

import dataclasses
import pathlib
import threading
from typing import Callable

from pqc_ebpf_attestation import AgentIdentity, BPFProgram, BPFVerifier, SignedBPFProgram


def progress_during(call: Callable[[], object]) -> int:
    """How many times this thread looped while `call` ran in another thread."""
    entered = threading.Event()

    def worker() -> None:
        entered.set()
        call()

    t = threading.Thread(target=worker)
    count = 0
    t.start()
    entered.wait()
    while t.is_alive():
        count += 1
    t.join()
    return count


def test_hashing_releases_the_gil() -> None:
    data = b"\xab" * (48 << 20)  # ~0.1-0.5 s of SHA3-256
    assert progress_during(lambda: BPFProgram.hash_bytecode(data)) > 10000


def test_sealing_a_key_file_releases_the_gil(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    # Argon2id "interactive": 64 MiB, a noticeable fraction of a second.
    key = tmp_path / "k.key"
    assert progress_during(lambda: identity.save(key, passphrase="pw", kdf="interactive")) > 10000


def test_verification_releases_the_gil(signed: SignedBPFProgram) -> None:
    # A 48 MiB object: the verifier hashes every presented object, whatever
    # the outcome (here size_mismatch), without the GIL.
    big = dataclasses.replace(signed.program, bytecode=b"\0" * (48 << 20))
    tampered = dataclasses.replace(signed, program=big)
    results = []
    assert progress_during(lambda: results.append(BPFVerifier.verify(tampered))) > 10000
    assert results[0].reason == "size_mismatch"


def test_threads_share_signers_policies_and_logs(signed: SignedBPFProgram, identity: AgentIdentity) -> None:
    from pqc_ebpf_attestation import AttestationLog, BPFSigner, LoadPolicy, PolicyDecision, PolicyRule

    policy = LoadPolicy().add_rule(PolicyRule(program_types=("kprobe",), allowed_signers=frozenset({identity.did})))  # type: ignore[arg-type]
    log = AttestationLog(max_entries=1000)
    signer = BPFSigner(identity)
    errors: list = []

    def work() -> None:
        try:
            for _ in range(10):
                again = signer.sign(signed.program)
                assert BPFVerifier.verify(again).valid
                decision, reason = policy.evaluate(again)
                assert decision is PolicyDecision.ALLOW
                log.log(again, decision, reason, actor="thread")
        except Exception as e:  # reported below, with the thread's failure
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = log.entries()
    assert len(entries) == 60
    assert [e.seq for e in entries] == list(range(60, 0, -1))
