"""Arguments of the wrong type raise InvalidInputError (reason
invalid_argument) from every public entry point, never a bare TypeError
from the extension."""

from __future__ import annotations

import pathlib
from typing import Any, Callable

import pytest

from pqc_ebpf_attestation import (
    AgentIdentity,
    AttestationLog,
    BPFProgram,
    BPFProgramMetadata,
    BPFSigner,
    BPFVerifier,
    GateClient,
    InvalidInputError,
    LoadPolicy,
    PolicyDecision,
    SignedBPFProgram,
    inspect,
    inspect_bytes,
    load_public_key,
)

CALLS: "list[tuple[str, Callable[[Any, Any], object]]]" = [
    ("AgentIdentity.create", lambda s, i: AgentIdentity.create(42)),
    ("AgentIdentity.create caps", lambda s, i: AgentIdentity.create("n", capabilities=[1, 2])),
    ("AgentIdentity.load", lambda s, i: AgentIdentity.load(3.5)),
    ("AgentIdentity.save", lambda s, i: i.save(None)),
    ("load_public_key", lambda s, i: load_public_key(7)),
    ("BPFProgram.from_file", lambda s, i: BPFProgram.from_file(BPFProgramMetadata(name="n"), 7)),
    ("BPFProgram.from_bytes", lambda s, i: BPFProgram.from_bytes(BPFProgramMetadata(name="n"), 7)),
    ("SignedBPFProgram.from_json", lambda s, i: SignedBPFProgram.from_json(7)),
    ("SignedBPFProgram.save", lambda s, i: s.save(7)),
    ("SignedBPFProgram.load", lambda s, i: SignedBPFProgram.load(None)),
    ("BPFSigner.sign", lambda s, i: BPFSigner(i).sign(s.program, manifest_format="two")),
    ("BPFVerifier.verify_file", lambda s, i: BPFVerifier.verify_file(7)),
    ("LoadPolicy.from_file", lambda s, i: LoadPolicy.from_file(7)),
    ("LoadPolicy.from_yaml", lambda s, i: LoadPolicy.from_yaml(7)),
    ("LoadPolicy.revoke_signer", lambda s, i: LoadPolicy().revoke_signer(7)),
    ("AttestationLog.open", lambda s, i: AttestationLog.open(7, i)),
    ("AttestationLog.log", lambda s, i: AttestationLog().log(s, PolicyDecision.ALLOW, "ok", actor=7)),
    ("AttestationLog.entries", lambda s, i: AttestationLog().entries(signer_did=7)),
    ("inspect", lambda s, i: inspect(7)),
    ("inspect_bytes", lambda s, i: inspect_bytes("text")),
    ("GateClient.connect", lambda s, i: GateClient.connect(7)),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_wrong_type_is_invalid_input(name: str, call: Callable[[Any, Any], object], signed: SignedBPFProgram,
                                     identity: AgentIdentity, tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        call(signed, identity)
    assert info.value.reason in ("invalid_argument", "malformed_envelope")
