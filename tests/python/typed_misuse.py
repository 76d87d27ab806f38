"""Wrong uses of the API: run_mypy.py requires mypy to flag exactly the
lines marked expect-error (and nothing else)."""

from __future__ import annotations

from pqc_ebpf_attestation import AttestationLog, BPFProgramMetadata, BPFVerifier, LoadPolicy

metadata = BPFProgramMetadata(name=1)  # expect-error
ok: int = BPFVerifier.verify_file("x.sig.json").valid
decision, reason = LoadPolicy().evaluate("signed.json")  # expect-error
count: str = len(AttestationLog())  # expect-error
reason.code.no_such_method()  # expect-error
