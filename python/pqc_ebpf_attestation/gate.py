"""GateClient: asks the pqc-bpf-gated daemon to check, and load, a signed object.

The daemon verifies, decides with its policy, records the attempt and, when
allowed, loads the object into the kernel and returns the program and map
descriptors (docs/GATE_API.md). Inputs travel as sealed memfds by default.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _native
from .errors import InvalidInputError, typed_input
from .policy import PolicyDecision
from .signing import SignedBPFProgram

__all__ = ["GateClient", "GateReply", "GateProgram", "GateMap", "DEFAULT_GATE_SOCKET"]

DEFAULT_GATE_SOCKET = "/run/pqc-bpf/gate.sock"


@dataclasses.dataclass(frozen=True)
class GateProgram:
    name: str
    section: str
    tag: str
    id: int
    fd: int
    pin: str
    link_id: int
    link_fd: int


@dataclasses.dataclass(frozen=True)
class GateMap:
    name: str
    id: int
    fd: int
    pin: str


@dataclasses.dataclass(frozen=True)
class GateReply:
    """The daemon's answer. ``ok`` False: it could not serve the request
    (``error``). ``decision``/``reason``/``sentence``: its decision.
    ``fds`` are owned by this reply: close() closes them (also on ``with``
    exit); take one with os.dup() to keep it."""

    ok: bool
    decision: Optional[PolicyDecision]
    reason: str
    sentence: str
    log_seq: Optional[int]
    load_log_seq: Optional[int]
    kernel_loaded: bool
    error: Optional[str]
    error_code: Optional[str]
    programs: Tuple[GateProgram, ...]
    maps: Tuple[GateMap, ...]
    pin_dir: str
    fds: Tuple[int, ...]
    json: str = dataclasses.field(repr=False)

    @property
    def loaded(self) -> bool:
        return self.ok and self.kernel_loaded

    @property
    def denied(self) -> bool:
        return self.decision is PolicyDecision.DENY

    def close(self) -> None:
        """Closes the reply's descriptors, once: a second close() (or ``with``
        exit after close()) must not close whatever reused their numbers."""
        fds = self.fds
        object.__setattr__(self, "fds", ())
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> "GateReply":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "GateReply":
        try:
            return cls._build(d)
        except BaseException:
            for fd in d["fds"]:  # nobody else will ever close them
                try:
                    os.close(fd)
                except OSError:
                    pass
            raise

    @classmethod
    def _build(cls, d: Mapping[str, Any]) -> "GateReply":
        return cls(
            ok=d["ok"],
            decision=None if d["decision"] is None else PolicyDecision(d["decision"]),
            reason=d["reason"],
            sentence=d["sentence"],
            log_seq=d["log_seq"],
            load_log_seq=d["load_log_seq"],
            kernel_loaded=d["kernel_loaded"],
            error=d["error"],
            error_code=d["error_code"],
            programs=tuple(GateProgram(**p) for p in d["programs"]),
            maps=tuple(GateMap(**m) for m in d["maps"]),
            pin_dir=d["pin_dir"],
            fds=tuple(d["fds"]),
            json=d["json"],
        )


class GateClient:
    """A connection to pqc-bpf-gated. Safe to share between threads (one request at a time)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.GateClient) -> None:
        """Internal: use GateClient.connect()."""
        self._native = native

    @classmethod
    @typed_input
    def connect(cls, socket_path: str = DEFAULT_GATE_SOCKET, timeout: float = 30.0) -> "GateClient":
        """Connects to the daemon's socket (BPFAttestationError, io_error, when it cannot)."""
        return cls(_native.GateClient.connect(socket_path, float(timeout)))

    @typed_input
    def load(
        self,
        signed: Union[SignedBPFProgram, bytes, str],
        object_bytes: Optional[bytes] = None,
        *,
        return_fds: bool = True,
        attach: bool = False,
        pin_path: str = "",
        use_memfd: Optional[bool] = None,
    ) -> GateReply:
        """Sends an envelope (a SignedBPFProgram, or envelope text/bytes) and
        its object; returns the daemon's reply.

        use_memfd: None (default) sends the bytes inline when the request fits
        one message and as sealed memfds otherwise; True always as sealed
        memfds; False always inline.

        A SignedBPFProgram is sent as its envelope with the program's bytes
        as the detached object.
        """
        if isinstance(signed, SignedBPFProgram):
            envelope = signed.to_json(include_bytecode=False).encode("utf-8")
            if object_bytes is None and signed.program.bytecode:
                object_bytes = signed.program.bytecode
        elif isinstance(signed, str):
            envelope = signed.encode("utf-8")
        elif isinstance(signed, (bytes, bytearray, memoryview)):
            envelope = bytes(signed)
        else:
            raise InvalidInputError("load() needs a SignedBPFProgram or envelope bytes", reason="invalid_argument")
        reply = self._native.load(envelope, object_bytes, use_memfd, return_fds, attach, pin_path)
        return GateReply._from_native(reply)

    @typed_input
    def status(self) -> Dict[str, Any]:
        """The daemon's status document."""
        result: Dict[str, Any] = json.loads(self._native.status())
        return result
