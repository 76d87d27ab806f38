// Manifest: the signed statement about one eBPF object. Its RFC 8785
// canonical bytes (canonical_bytes()) are exactly the message ML-DSA-65 signs,
// with the FIPS 204 context string "pqc-bpf/v1".
//
// Format 1 ("pqc-bpf-manifest/1") has exactly: format, algorithm, metadata,
// sha3_256, size, signer, signed_at. Format 2 ("pqc-bpf-manifest/2") adds
// programs, maps and license, derived from the object by the signer. Format
// 3 ("pqc-bpf-manifest/3", the default) adds per program its kernel type and
// what it calls and references (helpers, kfuncs, maps, calls_known).
// docs/FORMAT.md is the normative description, limits included.
//
// A Manifest is constructed only by create() or from_json(), which check
// everything (exact key set, types, DID syntax, hex, limits, RFC 3339 time,
// algorithm), so a Manifest in hand is always well-formed.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pqbpf/core/did.h"
#include "pqbpf/core/metadata.h"
#include "pqbpf/result.h"

namespace pqbpf {

enum class ManifestFormat { kV1 = 1, kV2 = 2, kV3 = 3 };

constexpr std::string_view kManifestFormatV1 = "pqc-bpf-manifest/1";
constexpr std::string_view kManifestFormatV2 = "pqc-bpf-manifest/2";
constexpr std::string_view kManifestFormatV3 = "pqc-bpf-manifest/3";
// The only algorithm; never taken from the file, only checked against it.
constexpr std::string_view kManifestAlgorithm = "ML-DSA-65";
// FIPS 204 context string for every manifest signature (10 ASCII bytes).
constexpr std::string_view kSignatureContext = "pqc-bpf/v1";

// Limits (docs/FORMAT.md): per-list counts and per-string sizes.
constexpr std::size_t kMaxManifestPrograms = 4096;
constexpr std::size_t kMaxManifestMaps = 4096;
constexpr std::size_t kMaxManifestNameBytes = 1024;
// Format 3: entries of each program's helpers, kfuncs and maps lists.
constexpr std::size_t kMaxManifestCallEntries = 4096;

std::string_view manifest_format_name(ManifestFormat format);
std::span<const std::uint8_t> signature_context();

// One program of the object (format 2; format 3 adds the fields after
// insn_sha3_256, which stay empty/false in formats 1 and 2).
struct ManifestProgram {
  std::string name;           // function symbol
  std::string section;        // ELF section
  std::string type;           // most specific type name ("kretprobe"), or "unknown"
  std::string attach_target;  // "" when the section names none
  std::uint64_t insn_count = 0;
  std::string insn_sha3_256;  // lowercase hex of the instruction bytes
  // Format 3. The kernel program type ("kprobe" for a kretprobe), or
  // "unknown" exactly when `type` is.
  std::string kernel_type;
  // Format 3: what the program and the subprograms it reaches call and
  // reference (docs/CAPABILITIES.md): helper names ("bpf_map_lookup_elem",
  // "unknown#<id>"), kfunc names, map names; calls_known false when its
  // subprograms could not be resolved (the lists are then partial).
  std::vector<std::string> helpers;
  std::vector<std::string> kfuncs;
  std::vector<std::string> maps;
  bool calls_known = false;
  friend bool operator==(const ManifestProgram&, const ManifestProgram&) = default;
};

// One map of the object (format 2).
struct ManifestMap {
  std::string name;
  std::string type;  // libbpf map type name, "unknown" if not known
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
  friend bool operator==(const ManifestMap&, const ManifestMap&) = default;
};

// The plain values, for building a manifest (create) and reading it back.
struct ManifestFields {
  ManifestFormat format = ManifestFormat::kV2;  // SignOptions defaults to kV3
  BPFProgramMetadata metadata;
  std::string sha3_256;   // lowercase hex, 64 digits
  std::uint64_t size = 0; // bytes, <= kMaxObjectFileSize
  std::string signer;     // DID text
  std::string signed_at;  // "YYYY-MM-DDTHH:MM:SSZ"
  // Formats 2 and 3 (must be empty for format 1).
  std::vector<ManifestProgram> programs;
  std::vector<ManifestMap> maps;
  std::string license;  // the object's license section, "" when absent
};

class Manifest {
 public:
  static Result<Manifest> create(ManifestFields fields, const std::string& label = "manifest");
  // Strict: the exact key set of the format named by "format"; unknown format
  // or algorithm -> kUnsupported; anything else wrong -> kParse.
  static Result<Manifest> from_json(const nlohmann::json& object,
                                    const std::string& label = "manifest");

  nlohmann::json to_json() const;
  // RFC 8785 bytes of to_json(): the signed message.
  std::string canonical_bytes() const;

  const ManifestFields& fields() const { return fields_; }
  ManifestFormat format() const { return fields_.format; }
  const BPFProgramMetadata& metadata() const { return fields_.metadata; }
  const std::string& sha3_256() const { return fields_.sha3_256; }
  std::uint64_t size() const { return fields_.size; }
  const Did& signer() const { return signer_; }
  const std::string& signed_at() const { return fields_.signed_at; }
  const std::vector<ManifestProgram>& programs() const { return fields_.programs; }
  const std::vector<ManifestMap>& maps() const { return fields_.maps; }
  const std::string& license() const { return fields_.license; }

 private:
  Manifest(ManifestFields fields, Did signer) : fields_(std::move(fields)), signer_(std::move(signer)) {}
  ManifestFields fields_;
  Did signer_;
};

// True when a program of type `actual` may be signed under the declared type:
// equal, or the declared type is the kernel type `actual` refines (a declared
// kprobe covers kretprobe, uprobe and uretprobe programs; a declared
// kretprobe does not cover a plain kprobe program).
bool program_type_compatible(BPFProgramType declared, BPFProgramType actual);

// RFC 3339 UTC timestamps in the one form manifests use: 2026-01-31T12:00:00Z.
std::string format_rfc3339_utc(std::chrono::sys_seconds time);
Result<std::chrono::sys_seconds> parse_rfc3339_utc(std::string_view text);

}  // namespace pqbpf
