"""Exceptions of pqc_ebpf_attestation.

Every exception carries ``reason``, a stable machine-readable code: one of
the library's reason codes (``untrusted_signer``, ``hash_mismatch``, ...; see
``REASON_CODES``) for verification and policy outcomes, or an error class
(``io_error``, ``parse_error``, ``invalid_argument``, ``not_found``, ...) for
input that could not be used. The message is one line naming the input and
the problem.
"""

from __future__ import annotations

import functools
from typing import Callable, Optional, ParamSpec, TypeVar

__all__ = [
    "BPFAttestationError",
    "InvalidInputError",
    "ProgramNotFoundError",
    "SignatureVerificationError",
    "ProgramHashMismatchError",
    "PolicyDeniedError",
    "UntrustedSignerError",
]


class BPFAttestationError(Exception):
    """Base class of every error this package raises."""

    reason: str

    def __init__(self, message: str, reason: str = "internal_error") -> None:
        super().__init__(message)
        self.reason = reason


class InvalidInputError(BPFAttestationError, ValueError):
    """An argument or input (metadata, envelope, key file, policy) is unusable."""


class ProgramNotFoundError(BPFAttestationError, FileNotFoundError):
    """An object (or other input) file could not be found or read."""


class SignatureVerificationError(BPFAttestationError):
    """A signed program did not verify (BPFVerifier.verify_or_raise)."""

    def __init__(self, message: str, reason: str = "bad_signature") -> None:
        super().__init__(message, reason)


class ProgramHashMismatchError(SignatureVerificationError):
    """The program's bytes are not the signed bytes (size or SHA3-256)."""

    def __init__(self, message: str, reason: str = "hash_mismatch") -> None:
        super().__init__(message, reason)


class PolicyDeniedError(BPFAttestationError):
    """LoadPolicy.enforce denied the program (any reason but an untrusted signer)."""

    rule_index: Optional[int]

    def __init__(self, message: str, reason: str = "no_rule", rule_index: Optional[int] = None) -> None:
        super().__init__(message, reason)
        self.rule_index = rule_index


class UntrustedSignerError(PolicyDeniedError):
    """LoadPolicy.enforce denied the program: its signer is not allowed or is revoked."""

    def __init__(
        self, message: str, reason: str = "untrusted_signer", rule_index: Optional[int] = None
    ) -> None:
        super().__init__(message, reason, rule_index)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def typed_input(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Internal: an argument of the wrong type (caught by os.fspath or by the
    extension's argument conversion as TypeError) becomes InvalidInputError
    with reason invalid_argument, like every other unusable input."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except TypeError as e:
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise InvalidInputError(f"{fn.__qualname__}: {first}", reason="invalid_argument") from e

    return wrapper
