// verify_log: checks a whole audit log (rotated files and the current file,
// in order) against the log's public key, which the operator supplies
// (`pqc-bpf log verify FILE --key LOG.pub`), never the key named in the log.
//
// Checked, stopping at the first bad record (the error names file, line and
// seq): no name of the log is a symbolic link (the writer never creates
// one; a current file linked to a rotated one hides what followed it);
// every line parses strictly; seq runs 1, 2, 3, ... without gaps;
// every `prev` is the SHA3-256 of the line before (the first is 64 zeros);
// every checkpoint names the supplied key's DID, counts seq - 1 records and
// carries a valid ML-DSA-65 signature over its body (so the whole chain up
// to it is fixed); a rotated file ends with a rotation checkpoint and
// nothing follows a rotation checkpoint in its file; a rotation checkpoint
// has its successor (the current file exists); at least one checkpoint by
// the supplied key exists (unless allow_unsealed).
//
// Not an error by default, but reported (and an error with
// require_closed): a log that does not end with a close (or rotation)
// checkpoint, i.e. records after the last checkpoint that no signature
// covers, and an unterminated final fragment in the current file (a crash
// mid-write, which the next writer moves to `.torn`). An interrupted
// rotation (the current file is the newest rotated file under a second
// name) is only a warning, even with require_closed: deleting the records
// after that file and hard-linking it in place of the current file leaves
// the same state, which only a witness tells apart. docs/AUDIT_LOG.md says
// exactly which edits this detects and which it cannot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

struct VerifyOptions {
  // Fail unless the log ends with a close/rotation checkpoint and has no torn
  // fragment: use on logs whose writers have closed them (archives).
  bool require_closed = false;
  // Accept a log that no checkpoint by the supplied key covers (no
  // checkpoint at all, e.g. a writer killed before its first one). Off by
  // default: without a signed checkpoint anyone could have written the
  // chain, so verify_log fails with kRejected.
  bool allow_unsealed = false;
  // An external witness of an earlier state (seq and head hash from an
  // earlier VerifyReport or AppendResult, kept off this host): the log must
  // still hold record `witness_seq` and its hash must be `witness_head_hex`.
  // This is what detects truncation back to an earlier closed state.
  std::optional<std::uint64_t> witness_seq;
  std::optional<std::string> witness_head_hex;
  // The file the witness was read from, named in the errors it causes.
  std::string witness_file;
};

struct VerifyReport {
  std::vector<std::string> files;   // in chain order
  std::uint64_t records = 0;        // whole records checked
  std::uint64_t attempts = 0;
  std::uint64_t recovered = 0;      // `recovered` records (crash recovery)
  std::uint64_t checkpoints = 0;
  std::uint64_t last_seq = 0;
  std::string head_hex;             // hash of the last record (64 zeros if none)
  std::uint64_t last_checkpoint_seq = 0;
  std::uint64_t unsealed = 0;       // records after the last checkpoint
  bool closed = false;              // ends with a close or rotation checkpoint
  std::uint64_t torn_bytes = 0;     // unterminated fragment at the end
  std::vector<std::string> warnings;
};

// Errors: kNotFound (no log), kIo, kRejected ("<file>:<line>: seq N: <what>")
// for any failed check, kInvalidArgument for a key that is not ML-DSA-65.
Result<VerifyReport> verify_log(const std::string& path, const crypto::mldsa::PublicKey& key,
                                const VerifyOptions& options = {});

}  // namespace pqbpf::log
