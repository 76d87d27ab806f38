// Where a log lives on disk: the current file `<path>` and, after rotation,
// `<path>.1`, `<path>.2`, ... in the order they were written (.1 is the
// OLDEST; unlike logrotate, rotated files are never renamed again, so a
// reader racing a rotation cannot see a file under two names). Beside them:
// `<path>.lock` (the flock(2) that serialises appenders across processes),
// `<path>.torn` (torn final fragments moved aside by crash recovery) and, by
// default, `<path>.witness` (the last signed checkpoint, see witness.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::log {

std::string rotated_file_path(const std::string& path, std::uint64_t index);
std::string lock_file_path(const std::string& path);
std::string torn_file_path(const std::string& path);

struct LogFile {
  std::string path;
  std::uint64_t index = 0;  // 0 for the current file
  bool current = false;
  // A rotated file that `<path>` also names (same inode): a rotation was
  // interrupted between linking the sealed file to its new name and
  // swapping in the empty successor. The next writer finishes it.
  bool also_current = false;
  // The name itself is a symbolic link. The writer never creates one, so it
  // is a replaced file (e.g. `<path>` pointing at a rotated file, which
  // hides every record after it); every reader refuses it.
  bool symlink = false;
};

// Every file of the log in chain order: rotated files by index, then the
// current file if it exists (and is not the newest rotated file itself, see
// also_current). Names are looked at with lstat(2), never followed: a
// symbolic link is listed with `symlink` set. kNotFound if there is none.
Result<std::vector<LogFile>> list_log_files(const std::string& path);

}  // namespace pqbpf::log
