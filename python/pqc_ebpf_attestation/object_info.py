"""inspect(): what a .bpf.o holds (programs, maps, license), read from its bytes, never loaded."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Mapping, Optional, Tuple, Union

from . import _native
from .errors import typed_input

__all__ = ["inspect", "inspect_bytes", "ObjectInfo", "ProgramInfo", "MapInfo"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class ProgramInfo:
    """One program: ``type`` is the most specific name ("kretprobe"), "unknown"
    when the reader cannot tell; ``kernel_type`` the kernel's type or None."""

    name: str
    section: str
    type: str
    kernel_type: Optional[str]
    attach_target: str
    expected_attach_type: str
    insn_count: int
    reachable_insns: Optional[int]
    insn_sha3_256: str


@dataclasses.dataclass(frozen=True)
class MapInfo:
    name: str
    type: str
    key_size: int
    value_size: int
    max_entries: int


@dataclasses.dataclass(frozen=True)
class ObjectInfo:
    """``reader`` is "libbpf" or "elf" (fallback); ``unknown`` lists what the
    fallback could not determine."""

    programs: Tuple[ProgramInfo, ...]
    maps: Tuple[MapInfo, ...]
    license: str
    has_btf: bool
    reader: str
    unknown: Tuple[str, ...]
    libbpf_version: str

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "ObjectInfo":
        return cls(
            programs=tuple(ProgramInfo(**p) for p in d["programs"]),
            maps=tuple(MapInfo(**m) for m in d["maps"]),
            license=d["license"],
            has_btf=d["has_btf"],
            reader=d["reader"],
            unknown=tuple(d["unknown"]),
            libbpf_version=d["libbpf_version"],
        )


@typed_input
def inspect(path: PathLike) -> ObjectInfo:
    """Reads an object file (at most 64 MiB) and lists its programs and maps.

    Raises ProgramNotFoundError when missing, InvalidInputError (parse_error)
    for bytes that are not a BPF object.
    """
    return ObjectInfo._from_native(_native.inspect_file(os.fspath(path)))


@typed_input
def inspect_bytes(data: bytes, label: str = "object") -> ObjectInfo:
    """inspect() for bytes in memory; ``label`` names them in errors."""
    return ObjectInfo._from_native(_native.inspect_bytes(data, label))
