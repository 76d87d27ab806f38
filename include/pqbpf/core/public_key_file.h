// KEY.pub: the shareable half of an identity, for policy authors. A small
// JSON object with exactly `did`, `name`, `algorithm` and `public_key`
// (standard base64). Loading checks that `did` is the DID of `public_key`,
// so a .pub file cannot vouch for a key it does not hold. Format in
// docs/KEYS.md.
#pragma once

#include <string>
#include <string_view>

#include "pqbpf/core/did.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/result.h"

namespace pqbpf {

// JSON text with a trailing newline.
Result<std::string> serialize_public_key_file(const PublicIdentity& identity);
// Strict: exact key set, types, base64, key length, algorithm ML-DSA-65, and
// the DID/key binding (kRejected naming both DIDs).
Result<PublicIdentity> parse_public_key_file(std::string_view text, const std::string& label);

Result<PublicIdentity> load_public_key_file(const std::string& path);
// Mode 0644; refuses to overwrite without `force`.
Status save_public_key_file(const std::string& path, const PublicIdentity& identity, bool force);

// For policy files and the CLI: a DID ("did:pqaid:...") is parsed as such;
// anything else is a path to a .pub file whose DID is returned.
Result<Did> resolve_signer(std::string_view did_or_path);

}  // namespace pqbpf
