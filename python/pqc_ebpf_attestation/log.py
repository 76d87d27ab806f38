"""AttestationLog: a record of every load attempt, allowed or denied.

Backed by the library's hash-chained audit log (docs/AUDIT_LOG.md): each
record carries the hash of the one before it, and a file-backed log
(``AttestationLog.open``) adds checkpoints signed with the log's own
ML-DSA-65 key, so ``pqc-bpf log verify`` detects edits, cuts and
reordering. The in-memory log never drops records: when ``max_entries`` are
held, log() raises (reason log_error) and the caller must deny.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, List, Mapping, Optional, Union

from . import _native
from .errors import InvalidInputError, typed_input
from .identity import AgentIdentity
from .policy import PolicyDecision
from .signing import SignedBPFProgram, _shape_problem

__all__ = ["AttestationLog", "AttestationLogEntry"]

PathLike = Union[str, "os.PathLike[str]"]
DEFAULT_MAX_ENTRIES = 100000


@dataclasses.dataclass(frozen=True)
class AttestationLogEntry:
    """One recorded attempt. ``reason`` is the sentence, ``reason_code`` the stable code.

    ``signer_did`` is set only when the DID/key binding, the signature and the
    object's size and SHA3-256 held: a claimed DID is never recorded as the
    signer. ``program_type`` is the signed, declared type.
    ``timestamp`` is RFC 3339 UTC with nanoseconds; ``seq`` the record's
    position in the chain.
    """

    program_name: str
    program_type: str
    bytecode_hash: Optional[str]
    signer_did: Optional[str]
    decision: PolicyDecision
    reason: str
    actor: Optional[str]
    timestamp: str
    reason_code: str = "internal_error"
    seq: int = 0
    program_types: tuple[str, ...] = ()

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "AttestationLogEntry":
        types = tuple(d["program_types"])
        return cls(
            program_name=d["program_name"] or "",
            program_type=types[0] if types else "",
            bytecode_hash=d["bytecode_hash"],
            signer_did=d["signer_did"],
            decision=PolicyDecision(d["decision"]),
            reason=d["reason"],
            actor=d["actor"],
            timestamp=d["timestamp"],
            reason_code=d["reason_code"],
            seq=int(d["seq"]),
            program_types=types,
        )


class AttestationLog:
    """``AttestationLog(max_entries=...)`` in memory, or ``AttestationLog.open(path, key)``."""

    __slots__ = ("_native",)

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise InvalidInputError("max_entries: expected an int >= 1", reason="invalid_argument")
        self._native = _native.Log(max_entries)

    @classmethod
    @typed_input
    def open(
        cls,
        path: PathLike,
        log_key: AgentIdentity,
        *,
        durability: str = "always",
        checkpoint_every: int = 1000,
        witness_path: Optional[PathLike] = None,
    ) -> "AttestationLog":
        """Opens (creating if needed) the log file at ``path``; its directory must exist.

        ``log_key`` signs the checkpoints (the same key for every process
        appending to the log); it must be an audit-log key, capability
        "log" and not "sign" (docs/KEYS.md). ``durability``: "always" (fsync per record),
        "batch" or "none". ``witness_path``: where the last signed checkpoint
        is kept (default PATH.witness; "" for none).
        """
        if not isinstance(log_key, AgentIdentity):
            raise InvalidInputError("log_key: expected an AgentIdentity", reason="invalid_argument")
        self = cls.__new__(cls)
        self._native = _native.Log.open(
            os.fspath(path),
            log_key._native,
            durability,
            checkpoint_every,
            None if witness_path is None else os.fspath(witness_path),
        )
        return self

    @property
    def persistent(self) -> bool:
        return self._native.persistent

    @typed_input
    def log(
        self,
        signed: SignedBPFProgram,
        decision: PolicyDecision,
        reason: str,
        actor: Optional[str] = None,
        *,
        reason_code: Optional[str] = None,
    ) -> AttestationLogEntry:
        """Records one attempt and returns its entry.

        The reason code is ``reason_code``, else ``reason.code`` (the reason
        LoadPolicy.evaluate returns carries it), else "allowed" for ALLOW and
        "policy_error" for DENY. Raises BPFAttestationError (log_error) when
        the record could not be made: the attempt must then be denied.
        """
        problem = _shape_problem(signed)
        if problem is not None:
            raise InvalidInputError(f"log(): {problem}", reason="invalid_argument")
        decision = PolicyDecision(decision)
        code = reason_code or getattr(reason, "code", None)
        if code is None:
            code = "allowed" if decision is PolicyDecision.ALLOW else "policy_error"
        entry = self._native.log_signed(signed, decision.value, code, str(reason), actor)
        return AttestationLogEntry._from_native(entry)

    @typed_input
    def entries(
        self,
        decision: Optional[PolicyDecision] = None,
        signer_did: Optional[str] = None,
        limit: int = 0,
    ) -> List[AttestationLogEntry]:
        """Recorded attempts, newest first, optionally filtered; ``limit`` 0 = all.

        A file-backed log reads its file(s), so records other processes
        appended are included.
        """
        dec = None if decision is None else PolicyDecision(decision).value
        return [AttestationLogEntry._from_native(d) for d in self._native.entries(limit, dec, signer_did)]

    def __len__(self) -> int:
        return len(self._native.entries(0, None, None))

    def close(self) -> None:
        """File-backed: writes the signed close checkpoint. In memory: nothing."""
        self._native.close()

    def __enter__(self) -> "AttestationLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
