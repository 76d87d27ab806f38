// Reading and atomically replacing the log's witness file (see witness.h).
#include "pqbpf/log/witness.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "pqbpf/core/json_strict.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/log/record.h"
#include "line_reader.h"
#include "pqbpf/log/log_files.h"
#include "safe_file.h"
#include "tail.h"
#include "witness_check.h"

namespace pqbpf::log {
namespace {

constexpr std::size_t kMaxWitnessBytes = 4096;

Error bad(const std::string& path, const std::string& what) {
  return make_error(ErrorCode::kParse, path + ": not a log witness file: " + what);
}

}  // namespace

std::string default_witness_path(const std::string& log_path) { return log_path + ".witness"; }

Result<std::optional<Witness>> read_witness(const std::string& path, bool owned) {
  auto opened = owned ? internal::open_owned_file(path, O_RDONLY, 0, "witness file")
                      : internal::open_regular_file_for_reading(path);
  if (!opened.ok()) {
    if (opened.error().code == ErrorCode::kNotFound) return std::optional<Witness>();
    return opened.error();
  }
  const int fd = *opened;
  std::string text(kMaxWitnessBytes + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return make_error(ErrorCode::kIo, path + ": read failed: " + std::strerror(e));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got > kMaxWitnessBytes) return bad(path, "larger than 4096 bytes");
  text.resize(got);
  if (text.empty() || text.back() != '\n') return bad(path, "it does not end with a newline");
  text.pop_back();
  JsonLimits limits;
  limits.max_bytes = kMaxWitnessBytes;
  limits.max_depth = 2;
  PQBPF_ASSIGN_OR_RETURN(nlohmann::json j, parse_json_strict(text, path, limits));
  if (!j.is_object()) return bad(path, "it must be a JSON object");
  PQBPF_RETURN_IF_ERROR(check_json_keys(j, {"v", "seq", "head", "time"}, {}, path));
  if (!j["v"].is_number_unsigned() || j["v"].get<std::uint64_t>() != 1) {
    return bad(path, "\"v\" must be 1");
  }
  if (!j["seq"].is_number_unsigned() || j["seq"].get<std::uint64_t>() == 0) {
    return bad(path, "\"seq\" must be a positive integer");
  }
  if (!j["head"].is_string() || !crypto::is_lowercase_hex(j["head"].get<std::string>(), 64)) {
    return bad(path, "\"head\" must be 64 lowercase hex digits");
  }
  if (!j["time"].is_string()) return bad(path, "\"time\" must be a string");
  Witness w;
  w.seq = j["seq"].get<std::uint64_t>();
  w.head_hex = j["head"].get<std::string>();
  return std::optional<Witness>(std::move(w));
}

Status write_witness(const std::string& path, const Witness& witness) {
  const std::string tmp = path + ".tmp";
  const std::string text = "{\"v\":1,\"seq\":" + std::to_string(witness.seq) + ",\"head\":\"" +
                           witness.head_hex + "\",\"time\":\"" + now_rfc3339() + "\"}\n";
  // Only a writer holding the log lock gets here, so nobody else writes tmp.
  PQBPF_ASSIGN_OR_RETURN(const int fd, internal::open_owned_file(tmp, O_WRONLY | O_CREAT, 0640,
                                                                 "witness temp file"));
  Status st = ok_status();
  if (::ftruncate(fd, 0) != 0) {
    st = make_error(ErrorCode::kIo, tmp + ": cannot truncate: " + std::strerror(errno));
  }
  if (st.ok()) st = internal::write_all(fd, text, tmp);
  if (st.ok() && ::fsync(fd) != 0) {
    st = make_error(ErrorCode::kIo, tmp + ": fsync failed: " + std::strerror(errno));
  }
  ::close(fd);
  if (!st.ok()) return st;
  // rename(2) replaces the name `path` itself, never what a symlink there
  // points to; the file it replaces is checked like every other of ours.
  if (auto old = internal::open_owned_file(path, O_RDONLY, 0, "witness file");
      !old.ok() && old.error().code != ErrorCode::kNotFound) {
    return old.error();
  } else if (old.ok()) {
    ::close(*old);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error(ErrorCode::kIo, tmp + ": cannot rename to " + path + ": " +
                                          std::strerror(errno));
  }
  return internal::fsync_directory_of(path);
}

}  // namespace pqbpf::log

namespace pqbpf::log::internal {
namespace {

// Lines we wrote start {"v":1,"seq":N,; enough to locate a record.
std::optional<std::uint64_t> line_seq(std::string_view line) {
  static constexpr std::string_view kStart = "{\"v\":1,\"seq\":";
  if (line.substr(0, kStart.size()) != kStart) return std::nullopt;
  std::uint64_t v = 0;
  std::size_t i = kStart.size();
  for (; i < line.size() && i < kStart.size() + 19 && line[i] >= '0' && line[i] <= '9'; ++i) {
    v = v * 10 + static_cast<std::uint64_t>(line[i] - '0');
  }
  if (i == kStart.size() || i >= line.size() || line[i] != ',') return std::nullopt;
  return v;
}

Error refused(const std::string& log_path, const std::string& witness_path,
              const Witness& w, const std::string& what) {
  return make_error(ErrorCode::kRejected,
                    log_path + ": " + what + ", but the witness " + witness_path +
                        " recorded a signed checkpoint at seq " + std::to_string(w.seq) +
                        " (head " + w.head_hex +
                        "): the log was cut back or rewritten; refusing to append to it (run "
                        "'pqc-bpf log verify' and investigate; see docs/AUDIT_LOG.md)");
}

}  // namespace

Status check_chain_holds_witness(const std::string& log_path, std::uint64_t head_seq,
                                 const std::string& head_hex, const Witness& w,
                                 const std::string& witness_path) {
  if (head_seq < w.seq) {
    return refused(log_path, witness_path, w, "the log ends at seq " + std::to_string(head_seq));
  }
  if (head_seq == w.seq) {
    if (head_hex == w.head_hex) return ok_status();
    return refused(log_path, witness_path, w,
                   "record seq " + std::to_string(w.seq) + " has hash " + head_hex);
  }
  PQBPF_ASSIGN_OR_RETURN(std::vector<LogFile> files, list_log_files(log_path));
  // Newest file first: find the file whose first record is at or before w.seq.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    PQBPF_ASSIGN_OR_RETURN(LineReader reader, LineReader::open(it->path));
    Line line;
    bool first = true;
    while (true) {
      PQBPF_ASSIGN_OR_RETURN(bool more, reader.next(line));
      if (!more || !line.terminated) break;
      const auto seq = line_seq(line.text);
      if (!seq) break;
      if (first && *seq > w.seq) break;  // older file
      first = false;
      if (*seq < w.seq) continue;
      if (*seq > w.seq) break;
      const std::string hex = crypto::to_hex(record_hash(line.text));
      if (hex == w.head_hex) return ok_status();
      return refused(log_path, witness_path, w,
                     "record seq " + std::to_string(w.seq) + " in " + it->path + " has hash " + hex);
    }
    if (!first) break;  // the file covering w.seq does not hold it
  }
  return refused(log_path, witness_path, w,
                 "the log no longer holds record seq " + std::to_string(w.seq));
}

}  // namespace pqbpf::log::internal
