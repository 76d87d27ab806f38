// The log's witness: the last signed checkpoint (its seq and the chain head
// it sealed, i.e. the checkpoint line's own hash) kept in a small state file
// outside the log. Every writer updates it atomically (temp file, fsync,
// rename, fsync of the directory) once a checkpoint is durable, and checks it
// whenever it opens the log: a log whose chain no longer holds record `seq`
// with hash `head` was cut back (or rewritten) and is refused, so a writer
// never re-seals a truncated log. `pqc-bpf log verify` checks a log against
// it (`<log>.witness` when it exists, or --witness FILE). Default path:
// `<log>.witness`; keep a copy elsewhere (another file system or host) for
// protection against someone who can write the log's directory.
//
// File format (one line): {"v":1,"seq":1001,"head":"<64 hex>","time":"<RFC 3339>"}
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pqbpf/result.h"

namespace pqbpf::log {

struct Witness {
  std::uint64_t seq = 0;
  std::string head_hex;  // SHA3-256 (hex) of the line of record `seq`
};

std::string default_witness_path(const std::string& log_path);  // "<log>.witness"

// Reads a witness file (at most 4 KiB); std::nullopt if it does not exist.
// `owned`: the writer's rules (no symlink, regular file, owned by us, no
// group/other write); otherwise no symlink and a regular file, whoever owns
// it (an auditor reading root's witness). kPermission for a file breaking
// those rules, kParse for a malformed one.
Result<std::optional<Witness>> read_witness(const std::string& path, bool owned);

// Atomically replaces the witness file (`<path>.tmp`, fsync, rename, fsync of
// the directory), with the writer's file rules.
Status write_witness(const std::string& path, const Witness& witness);

}  // namespace pqbpf::log
