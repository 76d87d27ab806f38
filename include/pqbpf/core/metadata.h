// BPFProgramMetadata: what a signer says about an eBPF object (the seed's
// fields). Every field is signed as a string inside the manifest.
//
// Rules (checked by validate_metadata, so a Manifest never holds bad text):
// - `name` is required (1..256 bytes); the other text fields may be empty.
// - All fields are valid UTF-8 without control characters (U+0000..U+001F,
//   U+007F), so printing a manifest can never drive a terminal.
// - Size caps: 256 bytes for name, version, kernel_min, program_type;
//   1024 for attach_point, author, license; 4096 for description.
// - `kernel_min` is empty or a dotted version "MAJOR[.MINOR[.PATCH]]".
// - `program_type` is a BPFProgramType; `unspec` means "not one single type"
//   (format 2 objects that mix program types; see docs/FORMAT.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "pqbpf/core/program_type.h"
#include "pqbpf/result.h"

namespace pqbpf {

struct BPFProgramMetadata {
  std::string name;
  // kUnspec when signing means "infer from the object" (format 2 only).
  BPFProgramType program_type = BPFProgramType::kUnspec;
  std::string attach_point;
  std::string author;
  std::string description;
  std::string version;
  std::string license;
  std::string kernel_min;

  friend bool operator==(const BPFProgramMetadata&, const BPFProgramMetadata&) = default;
};

// `label` is the field path prefix: label "x.sig.json: manifest.metadata" gives
// "x.sig.json: manifest.metadata.name: must not be empty".
Status validate_metadata(const BPFProgramMetadata& metadata, const std::string& label);

// The manifest's "metadata" object: all eight keys, string values.
nlohmann::json metadata_to_json(const BPFProgramMetadata& metadata);
// Strict: exactly the eight keys, all strings, then validate_metadata.
Result<BPFProgramMetadata> metadata_from_json(const nlohmann::json& object,
                                              const std::string& label);

}  // namespace pqbpf
