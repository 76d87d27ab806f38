#!/usr/bin/env python3
"""Change one bit of a signed object after signing: the verifier recomputes
SHA3-256 and rejects it (the seed's tampered_bytecode_rejected).

    python3 tampered_bytecode_rejected.py OBJECT.bpf.o
"""

import dataclasses
import sys

from pqc_ebpf_attestation import AgentIdentity, BPFProgram, BPFProgramMetadata, BPFSigner, BPFVerifier


def main(path: str) -> int:
    identity = AgentIdentity.create("bpf-signer", capabilities=["sign"])
    signed = BPFSigner(identity).sign(BPFProgram.from_file(BPFProgramMetadata(name="sample"), path))
    good = BPFVerifier.verify(signed)
    print(f"original: valid={good.valid}")

    data = bytearray(signed.program.bytecode)
    data[len(data) // 2] ^= 0x01  # an attacker swapping code after signing
    tampered = dataclasses.replace(signed, program=dataclasses.replace(signed.program, bytecode=bytes(data)))
    bad = BPFVerifier.verify(tampered)
    print(f"tampered: valid={bad.valid} hash_consistent={bad.hash_consistent} reason={bad.reason}\n  {bad.error}")
    return 0 if good.valid and not bad.valid and bad.reason == "hash_mismatch" else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tampered_bytecode_rejected.py OBJECT.bpf.o")
    sys.exit(main(sys.argv[1]))
