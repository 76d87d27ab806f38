#!/usr/bin/env python3
"""Sign an object, serialise the envelope, read it back, verify it (the
seed's sign_and_verify, in Python).

    python3 sign_and_verify.py OBJECT.bpf.o
"""

import sys

from pqc_ebpf_attestation import (
    AgentIdentity,
    BPFProgram,
    BPFProgramMetadata,
    BPFSigner,
    BPFVerifier,
    SignedBPFProgram,
)


def main(path: str) -> int:
    identity = AgentIdentity.create("bpf-signer", capabilities=["sign"])
    program = BPFProgram.from_file(BPFProgramMetadata(name="sample", author="ops-team"), path)
    signed = BPFSigner(identity).sign(program)
    print(f"signed {signed.program.metadata.name} ({signed.program.metadata.program_type.value}) "
          f"as {signed.signer_did}")

    text = signed.to_json()  # the <object>.sig.json format, object embedded
    again = SignedBPFProgram.from_json(text)
    result = BPFVerifier.verify(again)
    print(f"envelope: {len(text)} bytes; verify: valid={result.valid} reason={result.reason} "
          f"signer={result.signer_did}")
    return 0 if result.valid and result.signer_did == identity.did else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sign_and_verify.py OBJECT.bpf.o")
    sys.exit(main(sys.argv[1]))
