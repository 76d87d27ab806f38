// LoadRequest: everything the policy needs to decide on one load attempt.
//
// The policy never verifies anything itself: the verifier establishes the
// envelope's state and the object reader lists the programs, and whoever
// builds a LoadRequest copies those facts in. Every flag defaults to the
// failing value, so a request that was filled in carelessly is denied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/program_type.h"
#include "pqbpf/core/reason.h"

namespace pqbpf::policy {

struct LoadRequest {
  // Envelope state, as established by the verifier (never by the policy).
  bool envelope_present = false;      // false: unsigned object (reason unsigned)
  bool envelope_well_formed = false;  // false: reason malformed_envelope
  bool did_bound = false;             // manifest signer == DID of the public key
  bool signature_valid = false;       // ML-DSA signature verified
  bool hash_consistent = false;       // object size and SHA3-256 match the manifest
  bool programs_consistent = false;   // signed program list == the object's; true for
                                      // format 1 (no list to compare)

  // The verifier's first failing check, when it has one; it takes precedence
  // over the flags above (they only say *that* something failed).
  std::optional<ReasonCode> verification_failure;
  std::string verification_detail;  // the verifier's sentence, shown after ours

  // Set ONLY when the DID is bound to the key and the signature verified.
  std::optional<Did> signer;

  // The actual object bytes (not the manifest's claims).
  std::string object_sha3_256;  // lowercase hex
  std::uint64_t object_size = 0;
  // SHA3-256 (lowercase hex) of every object byte string the attempt
  // presented (detached file, embedded copy), whether or not it verified:
  // revoked_objects matches these too, so a revoked object stays revoked
  // behind a bad signature or a conflicting copy.
  std::vector<std::string> presented_object_sha3_256;

  // From the signed manifest metadata: every program read from the object
  // must be of this type (or a refinement of it), else program_mismatch;
  // a rule with allow_uninspectable judges an uninspectable object by it.
  std::optional<BPFProgramType> declared_type;
  // metadata.attach_point: where the gate attaches xdp, tc and cgroup
  // programs, so attach_targets judges it for those types (only).
  std::string declared_attach_point;

  // From the object itself. Empty when the reader could not inspect it (then
  // `inspection_error` says why): such an object is denied
  // (uninspectable_object) unless the rule covering its declared type has
  // allow_uninspectable (see docs/POLICY.md).
  std::vector<bpf::ProgramInfo> programs;
  std::string inspection_error;
  bool license_known = false;  // false: `license` was not read from the object
  std::string license;         // the object's license section, "" if none
};

// True when every verification flag holds, the verifier reported no failure,
// and there is a verified signer.
bool verification_passed(const LoadRequest& request);

// Copies what the object reader found in the object's own bytes (programs
// and license) into `request`; sets license_known.
void set_object_facts(LoadRequest& request, const bpf::ObjectInfo& info);

}  // namespace pqbpf::policy
