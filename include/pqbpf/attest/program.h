// BPFProgram: an eBPF object file's bytes together with what its signer says
// about it (BPFProgramMetadata). The seed's BPFProgram.from_file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/metadata.h"
#include "pqbpf/result.h"

namespace pqbpf {

class BPFProgram {
 public:
  // Reads `path` (a regular file, at most kMaxObjectFileSize bytes).
  // metadata.program_type may be kUnspec: the signer then infers it.
  static Result<BPFProgram> from_file(BPFProgramMetadata metadata, const std::string& path);
  // `label` names the object in messages (usually its path).
  static Result<BPFProgram> from_bytes(BPFProgramMetadata metadata, std::vector<std::uint8_t> bytes,
                                       std::string label = "object");

  const BPFProgramMetadata& metadata() const { return metadata_; }
  std::span<const std::uint8_t> bytecode() const { return bytes_; }
  const std::string& label() const { return label_; }
  std::uint64_t size() const { return bytes_.size(); }
  // Lowercase hex SHA3-256 of the whole object file.
  std::string sha3_256_hex() const;

 private:
  BPFProgram(BPFProgramMetadata metadata, std::vector<std::uint8_t> bytes, std::string label)
      : metadata_(std::move(metadata)), bytes_(std::move(bytes)), label_(std::move(label)) {}
  BPFProgramMetadata metadata_;
  std::vector<std::uint8_t> bytes_;
  std::string label_;
};

}  // namespace pqbpf
