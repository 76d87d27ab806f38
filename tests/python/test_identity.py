"""AgentIdentity: creation, DID binding, key files (plain and sealed), bad input."""

from __future__ import annotations

import hashlib
import os
import pathlib
import re

import pytest

from pqc_ebpf_attestation import AgentIdentity, BPFAttestationError, InvalidInputError, load_public_key


def test_create_has_a_did_bound_to_its_key() -> None:
    identity = AgentIdentity.create("bpf-signer", capabilities=["sign"])
    assert re.fullmatch(r"did:pqaid:[0-9a-f]{64}", identity.did)
    assert identity.did == "did:pqaid:" + hashlib.sha3_256(identity.public_key).hexdigest()
    assert identity.name == "bpf-signer"
    assert identity.capabilities == ("sign",)
    assert identity.has_capability("sign")
    assert identity.algorithm == "ML-DSA-65"
    assert len(identity.public_key) == 1952
    assert identity.did in repr(identity)
    assert AgentIdentity.create("bpf-signer").did != identity.did


@pytest.mark.parametrize("name,caps", [("", []), ("ok", ["Has Space"]), ("ok", ["a", "a"])])
def test_create_bad_fields_raise_invalid_input(name: str, caps: list) -> None:
    with pytest.raises(InvalidInputError) as info:
        AgentIdentity.create(name, capabilities=caps)
    assert info.value.reason == "invalid_argument"


def test_save_and_load_round_trip(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    key = tmp_path / "signer.key"
    identity.save(key)
    assert os.stat(key).st_mode & 0o777 == 0o600
    loaded = AgentIdentity.load(key)
    assert loaded.did == identity.did and loaded == identity
    assert loaded.created_at == identity.created_at
    did, name, public_key = load_public_key(str(key) + ".pub")
    assert (did, name, public_key) == (identity.did, identity.name, identity.public_key)


def test_save_refuses_to_overwrite_without_force(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    key = tmp_path / "signer.key"
    identity.save(key)
    with pytest.raises(BPFAttestationError) as info:
        AgentIdentity.create("other").save(key)
    assert info.value.reason == "already_exists"
    assert AgentIdentity.load(key).did == identity.did
    AgentIdentity.create("other").save(key, force=True)


def test_sealed_key_needs_the_passphrase(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    key = tmp_path / "sealed.key"
    identity.save(key, passphrase="correct horse", kdf="minimum")
    assert AgentIdentity.load(key, passphrase=b"correct horse").did == identity.did
    with pytest.raises(BPFAttestationError) as info:
        AgentIdentity.load(key, passphrase="wrong")
    assert info.value.reason == "permission"
    with pytest.raises(InvalidInputError):
        AgentIdentity.load(key)


def test_load_refuses_a_group_readable_key(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    key = tmp_path / "open.key"
    identity.save(key)
    os.chmod(key, 0o644)
    with pytest.raises(BPFAttestationError) as info:
        AgentIdentity.load(key)
    assert info.value.reason == "permission"


def test_load_rejects_a_modified_key_file(tmp_path: pathlib.Path, identity: AgentIdentity) -> None:
    key = tmp_path / "bad.key"
    key.write_text('{"format": "pqc-bpf-key/1", "garbage": true}')
    os.chmod(key, 0o600)
    with pytest.raises(BPFAttestationError) as info:
        AgentIdentity.load(key)
    assert info.value.reason in ("parse_error", "unsupported")
    assert "bad.key" in str(info.value)


def test_load_missing_key(tmp_path: pathlib.Path) -> None:
    with pytest.raises(BPFAttestationError) as info:
        AgentIdentity.load(tmp_path / "none.key")
    assert info.value.reason == "not_found"


def test_identity_cannot_be_built_directly() -> None:
    with pytest.raises(TypeError):
        AgentIdentity("x")  # type: ignore[arg-type]
