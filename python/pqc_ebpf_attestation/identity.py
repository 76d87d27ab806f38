"""AgentIdentity: an ML-DSA-65 signing identity with a DID bound to its key.

The seed took its identity class from another package; this one has the
same call shape (``AgentIdentity.create(name, capabilities=[...])``,
``.did``) and is backed by the library's Identity, whose DID is always the
hash of its public key. Key files are the CLI's (``pqc-bpf keygen``): the
private key file is 0600, optionally sealed with a passphrase.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence, Tuple, Union

from . import _native
from .errors import typed_input

__all__ = ["AgentIdentity", "load_public_key"]

PathLike = Union[str, "os.PathLike[str]"]
Passphrase = Union[str, bytes, None]


class AgentIdentity:
    """A signer: name, capabilities, creation time, ML-DSA-65 key pair, DID.

    The private key never leaves the C++ library (it is wiped when the
    identity is freed); ``repr()`` shows only the DID and name.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Identity) -> None:
        """Internal: use create() or load()."""
        if not isinstance(native, _native.Identity):
            raise TypeError("use AgentIdentity.create() or AgentIdentity.load()")
        self._native = native

    @classmethod
    @typed_input
    def create(cls, name: str, capabilities: Optional[Sequence[str]] = None) -> "AgentIdentity":
        """A fresh identity (random seed from getrandom(2)).

        ``name``: 1..128 bytes of UTF-8 without control characters;
        ``capabilities``: up to 32 distinct names of [a-z0-9._:-].
        """
        return cls(_native.Identity.create(name, list(capabilities or [])))

    @classmethod
    @typed_input
    def load(cls, path: PathLike, passphrase: Passphrase = None) -> "AgentIdentity":
        """Reads a key file written by save() or ``pqc-bpf keygen``.

        The file must not be readable by group or others; its seed is
        re-derived and checked against its DID.
        """
        return cls(_native.Identity.load(os.fspath(path), passphrase))

    @typed_input
    def save(
        self,
        path: PathLike,
        *,
        passphrase: Passphrase = None,
        force: bool = False,
        kdf: str = "interactive",
    ) -> None:
        """Writes PATH (0600) and PATH.pub (0644) atomically.

        Refuses to replace either unless ``force``. With ``passphrase`` the
        seed is sealed (Argon2id ``kdf`` cost: "interactive", "moderate", or
        "minimum" for tests only).
        """
        self._native.save(os.fspath(path), passphrase, force, kdf)

    @typed_input
    def save_public(self, path: PathLike, *, force: bool = False) -> None:
        """Writes only the shareable .pub file (DID, name, public key)."""
        self._native.save_public(os.fspath(path), force)

    @property
    def did(self) -> str:
        """``did:pqaid:`` + hex SHA3-256 of the public key."""
        return self._native.did

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def capabilities(self) -> Tuple[str, ...]:
        return tuple(self._native.capabilities)

    @property
    def created_at(self) -> str:
        """RFC 3339 UTC, second precision."""
        return self._native.created_at

    @property
    def algorithm(self) -> str:
        return self._native.algorithm

    @property
    def public_key(self) -> bytes:
        """The raw 1952-byte ML-DSA-65 public key."""
        return self._native.public_key

    def has_capability(self, capability: str) -> bool:
        return capability in self._native.capabilities

    def __repr__(self) -> str:
        return f"AgentIdentity(did={self.did!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgentIdentity):
            return NotImplemented
        return self.did == other.did

    def __hash__(self) -> int:
        return hash(self.did)


@typed_input
def load_public_key(path: PathLike) -> Tuple[str, str, bytes]:
    """Reads a .pub file: (DID, name, public key); the DID is checked against the key."""
    return _native.load_public_key(os.fspath(path))
