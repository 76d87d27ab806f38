// The writer's side of the witness file and of crash recovery's record:
// checking the chain head against the witness before anything is written,
// and appending the `recovered` record (design in log_writer.h and
// docs/AUDIT_LOG.md).
#include <algorithm>

#include "pqbpf/log/log_writer.h"
#include "pqbpf/log/witness.h"
#include "witness_check.h"

namespace pqbpf::log {

Status LogWriter::check_witness_locked() {
  if (witness_path_.empty()) return ok_status();
  if (witness_checked_) {
    // Cheap re-check: another process may have rewritten the file since, but
    // the chain can only grow.
    if (head_seq_ >= witness_floor_) return ok_status();
  }
  auto w = read_witness(witness_path_, true);
  if (!w.ok()) return w.error();
  if (*w) {
    PQBPF_RETURN_IF_ERROR(internal::check_chain_holds_witness(path_, head_seq_, head_hex_, **w,
                                                              witness_path_));
    witness_floor_ = std::max(witness_floor_, (*w)->seq);
  } else if (witness_floor_ > head_seq_) {
    return make_error(ErrorCode::kRejected,
                      path_ + ": the log ends at seq " + std::to_string(head_seq_) +
                          " but this writer saw seq " + std::to_string(witness_floor_) +
                          " signed, and the witness " + witness_path_ +
                          " was removed; refusing to append");
  }
  witness_checked_ = true;
  return ok_status();
}

Status LogWriter::append_recovered_locked(const std::string& torn_path, std::uint64_t offset,
                                          std::uint64_t length, const std::string& sha3_hex) {
  RecoveredBody body{torn_path, offset, length, sha3_hex};
  std::string line = serialize_recovered_line(head_seq_ + 1, now_rfc3339(), host_, body, head_hex_);
  const std::string hex = crypto::to_hex(record_hash(line));
  line.push_back('\n');
  PQBPF_RETURN_IF_ERROR(write_and_sync(line, true));
  head_seq_ += 1;
  head_hex_ = hex;
  head_is_checkpoint_ = false;
  head_is_rotation_ = false;
  head_is_close_ = false;
  return ok_status();
}

}  // namespace pqbpf::log
