"""LoadPolicy: ordered rules, a default decision, revocation lists.

Decisions are made by the C++ policy engine, per program: an object is
allowed only when every program read from its bytes is allowed by the
first rule covering that program's type (the declared type is a claim and
is checked against them). docs/POLICY.md is the reference.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

from . import _native
from .errors import InvalidInputError, PolicyDeniedError, UntrustedSignerError, typed_input
from .program_type import BPFProgramType
from .signing import SignedBPFProgram, _shape_problem

__all__ = ["PolicyDecision", "PolicyRule", "LoadPolicy", "DecisionReason", "DEFAULT_MAX_BYTECODE_SIZE"]

PathLike = Union[str, "os.PathLike[str]"]

DEFAULT_MAX_BYTECODE_SIZE = 2 * 1024 * 1024


class PolicyDecision(str, enum.Enum):
    """ALLOW or DENY; ``.value`` is "allow" / "deny"."""

    ALLOW = "allow"
    DENY = "deny"

    def __str__(self) -> str:
        return self.value


class DecisionReason(str):
    """The reason sentence of a decision (a str, as in the seed), with ``.code``,
    the stable reason code ("allowed", "untrusted_signer", ...)."""

    code: str
    rule_index: Optional[int]
    program: Optional[str]

    def __new__(
        cls, sentence: str, code: str, rule_index: Optional[int] = None, program: Optional[str] = None
    ) -> "DecisionReason":
        self = super().__new__(cls, sentence)
        self.code = code
        self.rule_index = rule_index
        self.program = program
        return self

    @property
    def reason(self) -> str:
        """The same as ``code``."""
        return self.code


def _type_of(value: Union[BPFProgramType, str]) -> BPFProgramType:
    try:
        return value if isinstance(value, BPFProgramType) else BPFProgramType(value)
    except ValueError:
        raise InvalidInputError(f"unknown program type {value!r}", reason="invalid_argument") from None


@dataclasses.dataclass(frozen=True)
class PolicyRule:
    """One ordered rule. The seed's four fields, then ours.

    - ``program_types``: the types it covers; a kernel type (KPROBE, TRACING)
      also covers its refined names (KRETPROBE, UPROBE, ...; FENTRY, FEXIT).
    - ``allowed_signers``: DIDs; empty = any verified signer.
    - ``require_signature``: False lets unsigned/invalid objects through
      (testing only).
    - ``max_bytecode_size``: whole-object cap in bytes (default 2 MiB).
    - ``name``, ``attach_targets`` (globs), ``max_insns`` (per program),
      ``licenses`` (exact strings or "gpl_compatible"),
      ``allow_uninspectable``: see docs/POLICY.md.
    """

    program_types: Tuple[BPFProgramType, ...] = ()
    allowed_signers: FrozenSet[str] = frozenset()
    require_signature: bool = True
    max_bytecode_size: int = DEFAULT_MAX_BYTECODE_SIZE
    name: str = ""
    attach_targets: Tuple[str, ...] = ()
    max_insns: Optional[int] = None
    licenses: Tuple[str, ...] = ()
    allow_uninspectable: bool = False

    def __post_init__(self) -> None:
        types = self.program_types
        if isinstance(types, (str, BPFProgramType)):
            types = (types,)
        object.__setattr__(self, "program_types", tuple(_type_of(t) for t in types))
        signers = self.allowed_signers
        if isinstance(signers, str):
            signers = frozenset({signers})
        object.__setattr__(self, "allowed_signers", frozenset(signers))
        for name in ("attach_targets", "licenses"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        for did in self.allowed_signers:
            if not isinstance(did, str):
                raise InvalidInputError("allowed_signers: expected DID strings", reason="invalid_argument")
            _native.validate_did(did)
        if isinstance(self.max_bytecode_size, bool) or not isinstance(self.max_bytecode_size, int) or self.max_bytecode_size < 0:
            raise InvalidInputError("max_bytecode_size: expected a non-negative int", reason="invalid_argument")
        if self.max_insns is not None and (
            isinstance(self.max_insns, bool) or not isinstance(self.max_insns, int) or self.max_insns < 0
        ):
            raise InvalidInputError("max_insns: expected a non-negative int or None", reason="invalid_argument")
        _native.check_policy({**_empty_spec(), "rules": [self._spec()]})

    def _spec(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "program_types": [t.value for t in self.program_types],
            "allowed_signers": sorted(self.allowed_signers),
            "require_signature": bool(self.require_signature),
            "max_bytecode_size": self.max_bytecode_size,
            "attach_targets": list(self.attach_targets),
            "max_insns": self.max_insns,
            "licenses": list(self.licenses),
            "allow_uninspectable": bool(self.allow_uninspectable),
        }

    @classmethod
    def _from_spec(cls, d: Dict[str, Any]) -> "PolicyRule":
        return cls(
            program_types=tuple(BPFProgramType(t) for t in d["program_types"]),
            allowed_signers=frozenset(d["allowed_signers"]),
            require_signature=d["require_signature"],
            max_bytecode_size=d["max_bytecode_size"],
            name=d["name"],
            attach_targets=tuple(d["attach_targets"]),
            max_insns=d["max_insns"],
            licenses=tuple(d["licenses"]),
            allow_uninspectable=d["allow_uninspectable"],
        )


def _empty_spec() -> Dict[str, Any]:
    return {"default": "deny", "rules": [], "revoked_signers": [], "revoked_objects": []}


class LoadPolicy:
    """Ordered PolicyRules; first rule covering a program's type decides it.

    No matching rule: ``default_decision`` (DENY unless said). Revoked
    signers and objects are denied before any rule.
    """

    def __init__(
        self,
        default_decision: PolicyDecision = PolicyDecision.DENY,
        rules: Iterable[PolicyRule] = (),
    ) -> None:
        self.default_decision = PolicyDecision(default_decision)
        #: The rules in order (a list, as in the seed: append() works too).
        self.rules: List[PolicyRule] = []
        self._revoked_signers: set[str] = set()
        self._revoked_objects: set[str] = set()
        for rule in rules:
            self.add_rule(rule)

    @property
    def revoked_signers(self) -> FrozenSet[str]:
        return frozenset(self._revoked_signers)

    @property
    def revoked_objects(self) -> FrozenSet[str]:
        return frozenset(self._revoked_objects)

    def add_rule(self, rule: PolicyRule) -> "LoadPolicy":
        """Appends a rule; returns the policy (chainable)."""
        if not isinstance(rule, PolicyRule):
            raise InvalidInputError("add_rule() needs a PolicyRule", reason="invalid_argument")
        self.rules.append(rule)
        return self

    @typed_input
    def revoke_signer(self, did: str) -> "LoadPolicy":
        """Denies everything signed by ``did`` (revoked_signer), whatever the rules say."""
        _native.validate_did(did)
        self._revoked_signers.add(did)
        return self

    @typed_input
    def revoke_object(self, sha3_256_hex: str) -> "LoadPolicy":
        """Denies the object with this SHA3-256 (revoked_object), signed or not."""
        spec = {**_empty_spec(), "revoked_objects": [sha3_256_hex]}
        _native.check_policy(spec)
        self._revoked_objects.add(sha3_256_hex.lower())
        return self

    @classmethod
    @typed_input
    def from_file(cls, path: PathLike) -> "LoadPolicy":
        """Reads a YAML or JSON policy file (docs/POLICY.md), strictly.

        Errors name the file, line and column (InvalidInputError).
        """
        return cls._from_spec(_native.load_policy_file(os.fspath(path)))

    @classmethod
    @typed_input
    def from_yaml(cls, text: str, *, label: str = "policy", base_dir: str = "") -> "LoadPolicy":
        """Parses policy text in the policy file format."""
        return cls._from_spec(_native.parse_policy(text, label, base_dir))

    @classmethod
    def _from_spec(cls, spec: Dict[str, Any]) -> "LoadPolicy":
        policy = cls(PolicyDecision(spec["default"]), (PolicyRule._from_spec(r) for r in spec["rules"]))
        policy._revoked_signers.update(spec["revoked_signers"])
        policy._revoked_objects.update(spec["revoked_objects"])
        return policy

    def _spec(self) -> Dict[str, Any]:
        for rule in self.rules:
            if not isinstance(rule, PolicyRule):
                raise InvalidInputError("LoadPolicy.rules holds a non-PolicyRule", reason="invalid_argument")
        return {
            "default": PolicyDecision(self.default_decision).value,
            "rules": [r._spec() for r in self.rules],
            "revoked_signers": sorted(self._revoked_signers),
            "revoked_objects": sorted(self._revoked_objects),
        }

    @typed_input
    def evaluate(self, signed: SignedBPFProgram) -> Tuple[PolicyDecision, DecisionReason]:
        """Verifies ``signed`` and decides: (decision, reason).

        ``reason`` is the sentence; ``reason.code`` the stable code. Never
        raises for a bad envelope or object: they are denied.
        """
        if not isinstance(signed, SignedBPFProgram):
            raise InvalidInputError("evaluate() needs a SignedBPFProgram", reason="invalid_argument")
        spec = self._spec()
        problem = _shape_problem(signed)
        if problem is not None:
            return PolicyDecision.DENY, DecisionReason(problem, "malformed_envelope")
        try:
            decision, code, sentence, rule_index, program = _native.evaluate(spec, signed)
        except InvalidInputError as e:
            return PolicyDecision.DENY, DecisionReason(str(e), "malformed_envelope")
        return PolicyDecision(decision), DecisionReason(sentence, code, rule_index, program)

    def enforce(self, signed: SignedBPFProgram) -> DecisionReason:
        """evaluate(), raising UntrustedSignerError (signer not allowed or
        revoked) or PolicyDeniedError (any other denial); returns the reason
        when allowed."""
        decision, reason = self.evaluate(signed)
        if decision is PolicyDecision.ALLOW:
            return reason
        if reason.code in ("untrusted_signer", "revoked_signer"):
            raise UntrustedSignerError(str(reason), reason=reason.code, rule_index=reason.rule_index)
        raise PolicyDeniedError(str(reason), reason=reason.code, rule_index=reason.rule_index)

    def __repr__(self) -> str:
        return f"LoadPolicy(default_decision={self.default_decision!r}, rules={self.rules!r})"
