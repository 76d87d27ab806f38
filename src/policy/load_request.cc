// Helpers for building and reading a LoadRequest.
#include "pqbpf/policy/load_request.h"

namespace pqbpf::policy {

bool verification_passed(const LoadRequest& r) {
  return !r.verification_failure.has_value() && r.envelope_present && r.envelope_well_formed &&
         r.did_bound && r.signature_valid && r.hash_consistent && r.programs_consistent &&
         r.signer.has_value();
}

void set_object_facts(LoadRequest& request, const bpf::ObjectInfo& info) {
  request.programs = info.programs;
  request.license = info.license;
  request.license_known = true;  // the reader always reads it; "" means no section
}

}  // namespace pqbpf::policy
