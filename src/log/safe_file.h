// Internal: opening the log's own files (log, rotated files, lock, .torn,
// witness) safely when the writer runs as root in a directory others may
// reach. Every path may be a planted symlink, FIFO or someone else's file:
// we never follow a final symlink (O_NOFOLLOW), never block on a FIFO
// (O_NONBLOCK, then fstat), and refuse anything that is not a regular file
// owned by the running user without group/other write permission.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "pqbpf/result.h"

namespace pqbpf::log::internal {

// An I/O failure as "LABEL: WHAT: strerror(err)".
Error io_error(const std::string& label, const std::string& what, int err);

// open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode), then
// check_owned_file; O_NONBLOCK is cleared again before returning. `what`
// names the file in errors ("log", "lock file", ...). Errors: kPermission
// for a symlink, a non-regular file, a foreign owner or a group/other
// writable mode; kNotFound / kIo from open.
Result<int> open_owned_file(const std::string& path, int flags, mode_t mode, std::string_view what);

// The fstat half of open_owned_file, for a descriptor already open.
Status check_owned_file(int fd, const std::string& path, std::string_view what);

// Opens a file for reading without following a final symlink or blocking on
// a FIFO, and refuses anything that is not a regular file (kPermission).
// Readers such as `log verify` may run as another user than the writer, so
// there is no owner check.
Result<int> open_regular_file_for_reading(const std::string& path);

// The directory that holds `path` ("." when it has no slash).
std::string parent_directory(const std::string& path);

// The log's directory must be a directory owned by the running user or root,
// and if group or other may write to it, it must be sticky (so nobody else
// can rename or remove our files in it).
Status check_log_directory(const std::string& path);

// link(2): a second name for `from`; never replaces an existing `to`
// (kAlreadyExists then).
Status link_no_replace(const std::string& from, const std::string& to);

}  // namespace pqbpf::log::internal
