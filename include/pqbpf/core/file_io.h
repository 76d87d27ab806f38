// File reading and writing with the guarantees the gate needs: bounded reads
// (no 100 GB envelope exhausts memory), and atomic writes (temp file in the
// same directory, fsync, rename) so a crash or error never leaves a partial
// output file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf {

// Default caps; each reader documents its own (docs/LIMITS.md).
constexpr std::uint64_t kMaxObjectFileSize = 64ull << 20;    // .bpf.o
constexpr std::uint64_t kMaxEnvelopeFileSize = 128ull << 20; // may embed an object
constexpr std::uint64_t kMaxSmallFileSize = 1ull << 20;      // keys, policies, .pub

// ok unless `path` holds a NUL byte: the system calls would stop at it and
// act on a shorter path than the caller checked (a path ending ".bpf.o\0"
// naming some other file). kInvalidArgument naming the path up to the NUL.
// Every open, write and socket path of the library passes through it.
Status check_path_text(std::string_view path);

// An input opened for reading, only if it is a regular file. Every file the
// gate reads may be planted by an attacker: a FIFO would block open() and
// read() forever, a device (/dev/zero) never ends. open() uses
// O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_NOCTTY, fstat()s the descriptor, refuses
// anything but a regular file with kInvalidArgument
// "<path>: not a regular file (FIFO); expected a file" (directory, socket,
// character device, ...), then clears O_NONBLOCK. Symbolic links are
// followed; the type checked is the target's. Owns the descriptor.
class InputFile {
 public:
  static Result<InputFile> open(const std::string& path);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  int fd() const { return fd_; }
  const struct stat& stat() const { return stat_; }  // from fstat() at open

 private:
  InputFile() = default;
  int fd_ = -1;
  struct stat stat_ {};
};

// Reads a regular file whole (opened with InputFile::open). Errors:
// kNotFound, kPermission, kIo, kLimitExceeded (names the limit),
// kInvalidArgument for a directory, FIFO or other non-regular file.
// Messages start with the path: "<path>: <what>".
Result<std::vector<std::uint8_t>> read_file(const std::string& path, std::uint64_t max_size);
Result<std::string> read_text_file(const std::string& path, std::uint64_t max_size);

struct WriteOptions {
  mode_t mode = 0644;
  // false: kAlreadyExists if the path exists. true: an existing regular file
  // is replaced; anything else there (symlink, FIFO, device, directory,
  // socket) is refused with kInvalidArgument and left as it is: --force
  // must never turn /dev/null into a key file.
  bool overwrite = false;
};

// ok when `path` is absent, or is a regular file and `overwrite` allows
// replacing it; the errors write_file_atomic gives otherwise.
Status check_write_destination(const std::string& path, bool overwrite);

// Writes via "<path>.tmp.XXXXXX" + fsync + rename + fsync(dir). On any error
// the temp file is removed and the destination is untouched.
Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> data,
                         const WriteOptions& options);
Status write_file_atomic(const std::string& path, std::string_view data,
                         const WriteOptions& options);

}  // namespace pqbpf
