// What a key may sign, from the capabilities its key file lists.
//
// One key, one purpose: a key that signs BPF objects lists "sign", the audit
// log's checkpoint key lists "log", and no key lists both. The signing
// contexts already keep a signature of one kind from passing as the other,
// but a policy that trusts any signer (no `allowed_signers`) would accept
// objects signed with a stolen log key; checking the purpose before signing
// keeps each key to the job it was made for (docs/KEYS.md).
#pragma once

#include <string_view>

#include "pqbpf/core/identity.h"
#include "pqbpf/result.h"

namespace pqbpf {

enum class KeyPurpose {
  kSignObjects,  // BPFSigner: envelopes of BPF objects
  kSignLog,      // the audit log's checkpoints (log::LogSigner)
};

inline constexpr std::string_view kSignCapability = "sign";
inline constexpr std::string_view kLogCapability = "log";

// The capability a key needs for `purpose`.
std::string_view capability_for(KeyPurpose purpose);

// ok when `capabilities` may be given to a new key: never both "sign" and
// "log" (kInvalidArgument otherwise).
Status validate_key_purposes(const std::vector<std::string>& capabilities);

// ok when `identity` lists the capability of `purpose` and not the other
// purpose's; kPermission with a one-line reason naming the key otherwise.
Status check_key_purpose(const Identity& identity, KeyPurpose purpose);

}  // namespace pqbpf
