"""pqc_ebpf_attestation: a post-quantum (ML-DSA-65) signed load gate for eBPF objects.

The seed's Python API (BPFSigner, BPFVerifier, LoadPolicy, AttestationLog,
...) over the project's C++ library, which does all the work: signing,
verification, policy decisions and the audit log. Differences from the
seed, where it let something unverified pass, are listed in docs/PYTHON.md.

Every outcome carries a stable reason code (``.reason``, or ``.code`` on the
reason sentence LoadPolicy.evaluate returns); REASON_CODES lists them.
"""

from __future__ import annotations

from typing import Tuple

from . import _native
from .errors import (
    BPFAttestationError,
    InvalidInputError,
    PolicyDeniedError,
    ProgramHashMismatchError,
    ProgramNotFoundError,
    SignatureVerificationError,
    UntrustedSignerError,
)
from .gate import DEFAULT_GATE_SOCKET, GateClient, GateMap, GateProgram, GateReply
from .identity import AgentIdentity, load_public_key
from .log import AttestationLog, AttestationLogEntry
from .object_info import MapInfo, ObjectInfo, ProgramInfo, inspect, inspect_bytes
from .policy import DEFAULT_MAX_BYTECODE_SIZE, DecisionReason, LoadPolicy, PolicyDecision, PolicyRule
from .program import BPFProgram, BPFProgramMetadata
from .program_type import BPFProgramType
from .signing import BPFSigner, BPFVerifier, SignedBPFProgram, VerificationResult

__version__: str = _native.version()

REASON_CODES: Tuple[str, ...] = tuple(_native.reason_codes())

__all__ = [
    "AgentIdentity",
    "AttestationLog",
    "AttestationLogEntry",
    "BPFAttestationError",
    "BPFProgram",
    "BPFProgramMetadata",
    "BPFProgramType",
    "BPFSigner",
    "BPFVerifier",
    "DEFAULT_GATE_SOCKET",
    "DEFAULT_MAX_BYTECODE_SIZE",
    "DecisionReason",
    "GateClient",
    "GateMap",
    "GateProgram",
    "GateReply",
    "InvalidInputError",
    "LoadPolicy",
    "MapInfo",
    "ObjectInfo",
    "PolicyDecision",
    "PolicyDeniedError",
    "PolicyRule",
    "ProgramHashMismatchError",
    "ProgramInfo",
    "ProgramNotFoundError",
    "REASON_CODES",
    "SignatureVerificationError",
    "SignedBPFProgram",
    "UntrustedSignerError",
    "VerificationResult",
    "inspect",
    "inspect_bytes",
    "load_public_key",
    "__version__",
]
