// Policy files: YAML (or JSON, read by the same parser) into a LoadPolicy.
//
// Strict and bounded: unknown or duplicate keys, wrong types, unknown program
// types, invalid DIDs or hashes, anchors/aliases/tags, nesting deeper than
// kMaxPolicyDepth, and every size past its documented limit are refused with
// "<file>: line L, column C: <what>" (1-based). docs/POLICY.md is the format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pqbpf/core/did.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/result.h"

namespace pqbpf::policy {

// Limits (docs/POLICY.md, "Limits").
constexpr std::uint64_t kMaxPolicyFileSize = 1ull << 20;  // bytes
constexpr std::size_t kMaxPolicyDepth = 32;               // nested collections
constexpr std::size_t kMaxPolicyNodes = 100000;           // scalars + collections
constexpr std::size_t kMaxPolicyRules = 1024;
constexpr std::size_t kMaxPolicyListLength = 4096;        // any list inside a rule
constexpr std::size_t kMaxRevocationListLength = 16384;   // revoked_signers/objects
constexpr std::size_t kMaxPolicyStringLength = 4096;      // any scalar, bytes

struct PolicyLoadOptions {
  // Turns an `allowed_signers` entry that is not a DID (a path to a .pub
  // file) into the DID it names. Relative paths arrive joined to the policy
  // file's directory. Unset: load_public_key_file (core/public_key_file.h),
  // which checks that the file's DID is the DID of its public key.
  std::function<Result<Did>(const std::string& path)> resolve_public_key_file;
};

// Parses policy text. `label` (usually the path) prefixes every error, and
// `base_dir` anchors relative .pub paths ("" = current directory).
Result<LoadPolicy> parse_policy(std::string_view text, const std::string& label,
                                const std::string& base_dir = "",
                                const PolicyLoadOptions& options = {});

// Reads (at most kMaxPolicyFileSize bytes) and parses a policy file.
Result<LoadPolicy> load_policy_file(const std::string& path, const PolicyLoadOptions& options = {});

// For a gate: the policy, or LoadPolicy::deny_all carrying the load error.
// `error` (optional) receives the error when loading failed.
LoadPolicy load_policy_file_or_deny_all(const std::string& path,
                                        const PolicyLoadOptions& options = {},
                                        Error* error = nullptr);

}  // namespace pqbpf::policy
