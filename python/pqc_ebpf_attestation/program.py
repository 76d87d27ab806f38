"""BPFProgramMetadata and BPFProgram: an eBPF object and what its signer says about it."""

from __future__ import annotations

import dataclasses
import os
from typing import Union

from . import _native
from .errors import typed_input
from .program_type import BPFProgramType

__all__ = ["BPFProgramMetadata", "BPFProgram"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class BPFProgramMetadata:
    """What a signer states about an object; every field is signed.

    ``name`` is required. ``program_type`` UNSPEC (the default) lets the
    signer infer the type from the object's programs; a declared type that a
    program in the object contradicts is refused at signing. Text fields are
    UTF-8 without control characters, within the manifest's size limits
    (InvalidInputError otherwise).
    """

    name: str
    program_type: BPFProgramType = BPFProgramType.UNSPEC
    license: str = ""
    author: str = ""
    description: str = ""
    version: str = ""
    kernel_min: str = ""
    attach_point: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.program_type, BPFProgramType):
            try:
                object.__setattr__(self, "program_type", BPFProgramType(self.program_type))
            except ValueError:
                from .errors import InvalidInputError

                raise InvalidInputError(
                    f"metadata.program_type: unknown program type {self.program_type!r}",
                    reason="invalid_argument",
                ) from None
        _native.validate_metadata(self)


@dataclasses.dataclass(frozen=True)
class BPFProgram:
    """An object's bytes with its metadata.

    ``bytecode_hash`` is the lowercase hex SHA3-256 of ``bytecode``; the
    constructors compute it. A BPFProgram is not trusted by itself: only
    BPFVerifier.verify says whether a signature covers these bytes.
    """

    metadata: BPFProgramMetadata
    bytecode: bytes = dataclasses.field(repr=False)
    bytecode_hash: str

    @staticmethod
    @typed_input
    def hash_bytecode(data: bytes) -> str:
        """Lowercase hex SHA3-256 of ``data`` (what manifests sign)."""
        return _native.sha3_256_hex(data)

    @classmethod
    @typed_input
    def from_bytes(cls, metadata: BPFProgramMetadata, data: bytes) -> "BPFProgram":
        """A program from bytes in memory (at most 64 MiB)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) > _native.max_object_size():
            from .errors import InvalidInputError

            raise InvalidInputError(
                f"program '{metadata.name}': {len(data)} bytes is over the "
                f"{_native.max_object_size()}-byte object limit",
                reason="limit_exceeded",
            )
        return cls(metadata=metadata, bytecode=data, bytecode_hash=_native.sha3_256_hex(data))

    @classmethod
    @typed_input
    def from_file(cls, metadata: BPFProgramMetadata, path: PathLike) -> "BPFProgram":
        """Reads an object file (a regular file, at most 64 MiB).

        Raises ProgramNotFoundError when it does not exist, InvalidInputError
        for a FIFO, directory or device, BPFAttestationError (io_error) when
        it cannot be read.
        """
        data = _native.read_object_file(os.fspath(path))
        return cls(metadata=metadata, bytecode=data, bytecode_hash=_native.sha3_256_hex(data))
