// Walks the chain across every file of a log and checks each record (rules
// in log_verify.h; what they catch in docs/AUDIT_LOG.md).
#include "pqbpf/log/log_verify.h"

#include <optional>

#include "line_reader.h"
#include "pqbpf/core/did.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_signer.h"
#include "pqbpf/log/record.h"

namespace pqbpf::log {
namespace {

Error rejected(const std::string& file, std::uint64_t line, std::optional<std::uint64_t> seq,
               const std::string& what) {
  std::string msg = file + ":" + std::to_string(line) + ": ";
  if (seq) msg += "seq " + std::to_string(*seq) + ": ";
  return make_error(ErrorCode::kRejected, msg + what);
}

// " (FILE)" when the caller said where the witness came from.
std::string witness_named(const VerifyOptions& options) {
  return options.witness_file.empty() ? "" : " (" + options.witness_file + ")";
}

}  // namespace

Result<VerifyReport> verify_log(const std::string& path, const crypto::mldsa::PublicKey& key,
                                const VerifyOptions& options) {
  if (key.parameter_set() != crypto::mldsa::ParameterSet::kMlDsa65) {
    return make_error(ErrorCode::kInvalidArgument, "log key: must be ML-DSA-65");
  }
  PQBPF_ASSIGN_OR_RETURN(std::vector<LogFile> files, list_log_files(path));
  // The writer never creates a symlink, so one among the log's names is a
  // replaced file: `<path>` linked to a rotated file would hide every record
  // after that file. Refused before anything is read through it.
  for (const LogFile& file : files) {
    if (file.symlink) {
      return make_error(ErrorCode::kRejected,
                        file.path + ": the " + (file.current ? "current" : "rotated") +
                            " log file is a symbolic link, which the log's writer never creates: "
                            "a file of the log was replaced (a link to a rotated file hides every "
                            "record after it); refusing to follow it");
    }
  }
  VerifyReport report;
  report.head_hex = zero_chain_hex();
  std::string prev_file;
  std::uint64_t prev_line = 0;
  bool last_is_close_or_rotation = false;

  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const LogFile& file = files[fi];
    report.files.push_back(file.path);
    PQBPF_ASSIGN_OR_RETURN(internal::LineReader reader, internal::LineReader::open(file.path));
    internal::Line line;
    bool any = false;
    bool rotation_seen = false;
    std::uint64_t rotation_line = 0;
    bool file_ends_with_rotation = false;
    while (true) {
      PQBPF_ASSIGN_OR_RETURN(bool more, reader.next(line));
      if (!more) break;
      if (!line.terminated) {
        // An unterminated fragment: a crash mid-write in the current file.
        if (!file.current) {
          return rejected(file.path, line.number, std::nullopt,
                          "rotated file ends with an unterminated record");
        }
        report.torn_bytes = line.text.size();
        break;
      }
      const std::string label = file.path + ":" + std::to_string(line.number);
      if (line.too_long) {
        return rejected(file.path, line.number, std::nullopt, "record longer than 65536 bytes");
      }
      auto parsed = parse_record(line.text, label);
      if (!parsed.ok()) {
        return make_error(ErrorCode::kRejected, "unreadable record: " + parsed.error().message);
      }
      const LogRecord& rec = *parsed;
      const std::uint64_t expected = report.last_seq + 1;
      if (rotation_seen) {
        return rejected(file.path, line.number, rec.seq,
                        "record after the rotation checkpoint at line " +
                            std::to_string(rotation_line) + " of the same file");
      }
      if (rec.seq != expected) {
        std::string what = "seq " + std::to_string(rec.seq) + " where " + std::to_string(expected) +
                           " was expected: ";
        what += expected == 1 ? "the log does not start at its first record (earlier records or "
                                "files were removed)"
                              : "a record was removed, inserted or reordered here";
        return rejected(file.path, line.number, rec.seq, what);
      }
      if (rec.prev != report.head_hex) {
        std::string what;
        if (expected == 1) {
          what = "prev of the first record must be 64 zeros";
        } else {
          what = "prev is not the SHA3-256 of the record before it (" + prev_file + ":" +
                 std::to_string(prev_line) +
                 "): that record was modified, or records were removed or inserted here";
        }
        return rejected(file.path, line.number, rec.seq, what);
      }
      if (rec.kind == RecordKind::kCheckpoint) {
        Status st = verify_checkpoint(rec, key, label);
        if (!st.ok()) {
          return make_error(ErrorCode::kRejected,
                            st.error().message + " (seq " + std::to_string(rec.seq) + ")");
        }
        ++report.checkpoints;
        report.last_checkpoint_seq = rec.seq;
        if (rec.trigger == CheckpointTrigger::kRotation) {
          rotation_seen = true;
          rotation_line = line.number;
        }
        last_is_close_or_rotation = rec.trigger != CheckpointTrigger::kInterval;
      } else {
        if (rec.kind == RecordKind::kRecovered) {
          ++report.recovered;
        } else {
          ++report.attempts;
        }
        last_is_close_or_rotation = false;
      }
      file_ends_with_rotation = rotation_seen;
      any = true;
      ++report.records;
      report.last_seq = rec.seq;
      report.head_hex = crypto::to_hex(record_hash(line.text));
      if (options.witness_seq && rec.seq == *options.witness_seq && options.witness_head_hex &&
          report.head_hex != *options.witness_head_hex) {
        return rejected(file.path, line.number, rec.seq,
                        "record differs from the witness" + witness_named(options) + " (hash " +
                            report.head_hex + ", witness " + *options.witness_head_hex + ")");
      }
      prev_file = file.path;
      prev_line = line.number;
    }
    if (!file.current) {
      if (!any) {
        return rejected(file.path, 1, std::nullopt, "rotated file is empty");
      }
      if (!file_ends_with_rotation) {
        return rejected(file.path, prev_line, report.last_seq,
                        "rotated file does not end with a rotation checkpoint: records were "
                        "removed from its end");
      }
    }
  }

  // A rotation checkpoint promises a successor: the chain continues in the
  // next file. Without the current file, it (and maybe newer rotated
  // files) was deleted.
  if (!files.empty() && files.back().also_current) {
    // A crash between link and swap leaves exactly what deleting the current
    // file and hard-linking the newest rotated file in its place leaves, so
    // this stays a warning; the witness check below tells them apart.
    report.warnings.push_back(
        path + ": a rotation was interrupted (" + files.back().path +
        " is also the current file); the next writer to append finishes it" +
        (options.witness_seq ? std::string()
                             : std::string(" (deleting the current file and linking that file in "
                                           "its place leaves the same state: only a witness "
                                           "tells them apart)")));
  } else if (!files.empty() && !files.back().current) {
    return rejected(files.back().path, prev_line, report.last_seq,
                    "the log continues after this rotation checkpoint, but its successor, the "
                    "current file " + path + ", is missing: it (and any newer rotated files) "
                    "was removed");
  }
  if (options.witness_seq && report.last_seq < *options.witness_seq) {
    return make_error(ErrorCode::kRejected,
                      path + ": the log ends at seq " + std::to_string(report.last_seq) +
                          " but the witness saw seq " + std::to_string(*options.witness_seq) +
                          witness_named(options) + ": records were removed from the end");
  }
  report.unsealed = report.last_seq - report.last_checkpoint_seq;
  report.closed = report.records > 0 && last_is_close_or_rotation && report.torn_bytes == 0;
  if (report.records == 0) report.warnings.push_back(path + ": the log holds no records");
  if (report.torn_bytes != 0) {
    report.warnings.push_back(path + ": " + std::to_string(report.torn_bytes) +
                              " bytes at the end are an unterminated record (a crash mid-write); "
                              "the next writer moves them to " + torn_file_path(path));
  }
  if (report.records > 0 && !last_is_close_or_rotation) {
    report.warnings.push_back(
        report.unsealed == 0
            ? path + ": the log ends without a closing checkpoint: its last record is the "
                     "interval checkpoint at seq " +
                  std::to_string(report.last_checkpoint_seq) +
                  " (a writer is still open, crashed, or records after it were cut off)"
            : path + ": the log ends without a closing checkpoint: " +
                  std::to_string(report.unsealed) + " record(s) after seq " +
                  std::to_string(report.last_checkpoint_seq) +
                  " are not covered by a signature (a writer is still open, crashed, or the end "
                  "was cut off)");
  }
  // Without a checkpoint by the supplied key nothing here is signed: anyone
  // can write such a chain.
  if (report.checkpoints == 0 && !options.allow_unsealed) {
    return make_error(ErrorCode::kRejected,
                      path + ": no checkpoint signed by the supplied key covers any of its " +
                          std::to_string(report.records) +
                          " record(s): the chain is not signed (forged, or its writer never "
                          "reached a checkpoint); pass --allow-unsealed to accept an unsigned "
                          "chain");
  }
  if (options.require_closed && !report.closed) {
    return make_error(ErrorCode::kRejected, report.warnings.empty()
                                                ? path + ": the log is not closed"
                                                : report.warnings.back());
  }
  return report;
}

}  // namespace pqbpf::log
