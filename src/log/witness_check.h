// Internal: does a log's chain still hold the witnessed record? Used by the
// writer when it opens a log (see pqbpf/log/witness.h).
#pragma once

#include <cstdint>
#include <string>

#include "pqbpf/log/witness.h"
#include "pqbpf/result.h"

namespace pqbpf::log::internal {

// `head_seq`/`head_hex`: the log's last record as the writer read it. OK when
// the log holds record witness.seq with hash witness.head_hex; kRejected
// (naming the log, the witness file and both states) otherwise. Reads at
// most the files from the one holding witness.seq to the end.
Status check_chain_holds_witness(const std::string& log_path, std::uint64_t head_seq,
                                 const std::string& head_hex, const Witness& witness,
                                 const std::string& witness_path);

}  // namespace pqbpf::log::internal
