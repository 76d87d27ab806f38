"""Signing and verification: BPFSigner, SignedBPFProgram, BPFVerifier, VerificationResult.

A SignedBPFProgram holds the signed manifest (``manifest``, its canonical
JSON) together with the fields the seed exposed. Every such field is a
claim until BPFVerifier.verify has checked it: verification requires the
signature over the manifest, the DID/key binding, the object's size and
SHA3-256, its programs (manifest format 2), and that each field a caller
reads (signer_did, algorithm, signed_at, program.metadata,
program.bytecode_hash) equals the signed value. A dataclasses.replace() of
any of them therefore makes the result invalid, with a reason code.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Dict, Mapping, Optional, Union

from . import _native
from .errors import InvalidInputError, ProgramHashMismatchError, SignatureVerificationError, typed_input
from .identity import AgentIdentity
from .program import BPFProgram, BPFProgramMetadata
from .program_type import BPFProgramType

__all__ = ["VerificationResult", "SignedBPFProgram", "BPFSigner", "BPFVerifier"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class VerificationResult:
    """The outcome of BPFVerifier.verify. ``valid`` only when every check passed.

    ``reason`` is the stable code ("allowed" when valid, else e.g.
    "bad_signature", "did_mismatch", "hash_mismatch", "object_missing",
    "program_mismatch", "malformed_envelope"); ``error`` the sentence.
    ``signer_did`` is set only when the signature verified under a key
    whose DID it is: an unverified envelope's claimed DID is never shown.
    """

    valid: bool
    signature_valid: bool = False
    hash_consistent: bool = False
    error: Optional[str] = None
    program_name: Optional[str] = None
    signer_did: Optional[str] = None
    reason: str = "internal_error"
    programs_consistent: Optional[bool] = None

    def __bool__(self) -> bool:
        return self.valid

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "VerificationResult":
        return cls(
            valid=bool(d["valid"]),
            signature_valid=bool(d["signature_valid"]),
            hash_consistent=bool(d["hash_consistent"]),
            error=d["error"],
            program_name=d["program_name"],
            signer_did=d["signer_did"],
            reason=str(d["reason"]),
            programs_consistent=d["programs_consistent"],
        )


def _metadata_from(d: Mapping[str, Any]) -> BPFProgramMetadata:
    return BPFProgramMetadata(
        name=d["name"],
        program_type=BPFProgramType(d["program_type"]),
        license=d["license"],
        author=d["author"],
        description=d["description"],
        version=d["version"],
        kernel_min=d["kernel_min"],
        attach_point=d["attach_point"],
    )


@dataclasses.dataclass(frozen=True)
class SignedBPFProgram:
    """A program with its ML-DSA-65 signature envelope. Not trusted until verified.

    ``to_json``/``to_dict`` produce the envelope format of ``pqc-bpf sign``
    (``<object>.sig.json``; docs/FORMAT.md), so envelopes move freely
    between the CLI, the gate daemon and Python.
    """

    program: BPFProgram
    signer_did: str
    algorithm: str
    signature: bytes = dataclasses.field(repr=False)
    public_key: bytes = dataclasses.field(repr=False)
    signed_at: str
    manifest: str = dataclasses.field(default="", repr=False)

    @typed_input
    def to_json(self, include_bytecode: bool = True) -> str:
        """The envelope text; with ``include_bytecode`` the object is embedded (base64)."""
        obj = self.program.bytecode if include_bytecode and self.program.bytecode else None
        return _native.envelope_json(self.manifest, self.public_key, self.signature, obj)

    def to_dict(self, include_bytecode: bool = True) -> Dict[str, Any]:
        """The envelope as a dict (``json.loads(to_json(...))``)."""
        result: Dict[str, Any] = json.loads(self.to_json(include_bytecode))
        return result

    @classmethod
    @typed_input
    def from_json(
        cls, text: Union[str, bytes], bytecode: Optional[bytes] = None, *, label: str = "envelope"
    ) -> "SignedBPFProgram":
        """Parses an envelope strictly (InvalidInputError, reason malformed_envelope).

        ``bytecode`` is the detached object when the envelope does not embed
        it; without either, ``program.bytecode`` is empty and verification
        fails with object_missing. An embedded object and a different
        ``bytecode`` raise InvalidInputError (object_conflict).
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInputError(f"{label}: not valid UTF-8", reason="malformed_envelope") from None
        parts = _native.parse_envelope(text, label)
        embedded: Optional[bytes] = parts["object"]
        if embedded is not None and bytecode is not None and bytes(bytecode) != embedded:
            raise InvalidInputError(
                f"{label}: the embedded object differs from the given bytecode", reason="object_conflict"
            )
        data = embedded if embedded is not None else bytes(bytecode or b"")
        program = BPFProgram(
            metadata=_metadata_from(parts["metadata"]),
            bytecode=data,
            bytecode_hash=_native.sha3_256_hex(data),
        )
        return cls(
            program=program,
            signer_did=parts["signer_did"],
            algorithm=parts["algorithm"],
            signature=parts["signature"],
            public_key=parts["public_key"],
            signed_at=parts["signed_at"],
            manifest=parts["manifest"],
        )

    @classmethod
    @typed_input
    def from_dict(
        cls, data: Mapping[str, Any], bytecode: Optional[bytes] = None
    ) -> "SignedBPFProgram":
        """The inverse of to_dict (same strict parser as from_json)."""
        try:
            text = json.dumps(data)
        except (TypeError, ValueError) as e:
            raise InvalidInputError(f"envelope: not JSON data ({e})", reason="malformed_envelope") from None
        return cls.from_json(text, bytecode)

    @typed_input
    def save(self, path: PathLike, *, include_bytecode: bool = False, overwrite: bool = False) -> None:
        """Writes the envelope to ``path`` (usually ``<object>.sig.json``)
        atomically, mode 0644; refuses to replace a file unless ``overwrite``
        (BPFAttestationError, already_exists)."""
        _native.write_file_atomic(os.fspath(path), self.to_json(include_bytecode), overwrite)

    @classmethod
    @typed_input
    def load(cls, envelope_path: PathLike, object_path: Optional[PathLike] = None) -> "SignedBPFProgram":
        """Reads an envelope file and its object.

        The object is ``object_path`` if given, else the envelope path
        without ``.sig.json`` when that file exists, else the embedded one.
        """
        env_path = os.fspath(envelope_path)
        text = _native.read_envelope_file(env_path)
        obj: Optional[bytes] = None
        if object_path is not None:
            obj = _native.read_object_file(os.fspath(object_path))
        elif env_path.endswith(".sig.json") and os.path.exists(env_path[: -len(".sig.json")]):
            obj = _native.read_object_file(env_path[: -len(".sig.json")])
        return cls.from_json(text, obj, label=env_path)


def _shape_problem(signed: object) -> Optional[str]:
    """Why ``signed`` is not a SignedBPFProgram holding a BPFProgram with
    BPFProgramMetadata (a dataclasses.replace can put anything in a field);
    None when it is."""
    if not isinstance(signed, SignedBPFProgram):
        return "not a SignedBPFProgram"
    if not isinstance(signed.program, BPFProgram):
        return "program: not a BPFProgram"
    if not isinstance(signed.program.metadata, BPFProgramMetadata):
        return "program.metadata: not a BPFProgramMetadata"
    return None


class BPFSigner:
    """Signs programs with an AgentIdentity's ML-DSA-65 key."""

    __slots__ = ("_identity",)

    def __init__(self, identity: AgentIdentity) -> None:
        if not isinstance(identity, AgentIdentity):
            raise InvalidInputError(
                "BPFSigner needs a pqc_ebpf_attestation.AgentIdentity", reason="invalid_argument"
            )
        # A key signs objects only when made to ("sign"); an audit-log key never.
        identity._native.check_purpose("objects")
        self._identity = identity

    @property
    def identity(self) -> AgentIdentity:
        return self._identity

    @typed_input
    def sign(self, program: BPFProgram, *, manifest_format: int = 2) -> SignedBPFProgram:
        """Signs ``program`` (the GIL is released while signing).

        Format 2 (default) also signs the object's programs, maps and
        license as read from the bytes, so the bytes must be a BPF object
        (InvalidInputError otherwise) and a declared program_type must match
        every program; UNSPEC is replaced by the inferred type. The new
        signature is verified before it is returned.
        """
        if not isinstance(program, BPFProgram):
            raise InvalidInputError("sign() needs a BPFProgram", reason="invalid_argument")
        parts = _native.sign(
            self._identity._native, program.metadata, program.bytecode, False, manifest_format
        )
        signed_program = dataclasses.replace(program, metadata=_metadata_from(parts["metadata"]))
        if signed_program.bytecode_hash != parts["sha3_256"]:
            signed_program = dataclasses.replace(signed_program, bytecode_hash=parts["sha3_256"])
        return SignedBPFProgram(
            program=signed_program,
            signer_did=parts["signer_did"],
            algorithm=parts["algorithm"],
            signature=parts["signature"],
            public_key=parts["public_key"],
            signed_at=parts["signed_at"],
            manifest=parts["manifest"],
        )


class BPFVerifier:
    """Verifies SignedBPFPrograms and envelope files. Fails closed; never raises on bad input."""

    @staticmethod
    def verify(signed: SignedBPFProgram) -> VerificationResult:
        """Checks the envelope against ``signed.program.bytecode`` (GIL released)."""
        problem = _shape_problem(signed)
        if problem is not None:
            return VerificationResult(valid=False, error=problem, reason="malformed_envelope")
        try:
            return VerificationResult._from_native(_native.verify(signed))
        except InvalidInputError as e:
            return VerificationResult(valid=False, error=str(e), reason="malformed_envelope")

    @staticmethod
    def verify_or_raise(signed: SignedBPFProgram) -> VerificationResult:
        """verify(), raising ProgramHashMismatchError (hash/size mismatch) or
        SignatureVerificationError (any other failure) unless valid."""
        result = BPFVerifier.verify(signed)
        if result.valid:
            return result
        message = result.error or result.reason
        if result.reason in ("hash_mismatch", "size_mismatch"):
            raise ProgramHashMismatchError(message, reason=result.reason)
        raise SignatureVerificationError(message, reason=result.reason)

    @staticmethod
    @typed_input
    def verify_file(envelope_path: PathLike, object_path: Optional[PathLike] = None) -> VerificationResult:
        """Verifies an envelope file as ``pqc-bpf verify`` does (each file read once)."""
        return VerificationResult._from_native(
            _native.verify_file(
                os.fspath(envelope_path), None if object_path is None else os.fspath(object_path)
            )
        )
