// BPFProgram: reading an object file and pairing it with its metadata.
#include "pqbpf/attest/program.h"

#include "pqbpf/core/file_io.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf {

Result<BPFProgram> BPFProgram::from_file(BPFProgramMetadata metadata, const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(auto bytes, read_file(path, kMaxObjectFileSize));
  return from_bytes(std::move(metadata), std::move(bytes), path);
}

Result<BPFProgram> BPFProgram::from_bytes(BPFProgramMetadata metadata, std::vector<std::uint8_t> bytes,
                                          std::string label) {
  if (bytes.size() > kMaxObjectFileSize) {
    return make_error(ErrorCode::kLimitExceeded, label + ": object is " + std::to_string(bytes.size()) +
                                                     " bytes, larger than the limit of " +
                                                     std::to_string(kMaxObjectFileSize));
  }
  PQBPF_RETURN_IF_ERROR(validate_metadata(metadata, "metadata"));
  return BPFProgram(std::move(metadata), std::move(bytes), std::move(label));
}

std::string BPFProgram::sha3_256_hex() const { return crypto::to_hex(crypto::sha3_256(bytes_)); }

}  // namespace pqbpf
