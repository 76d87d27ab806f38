// PinRoot: the one bpffs directory the gate daemon pins under.
//
// A request names a pin directory relative to the root (or an absolute path
// inside it). Every component is created and opened with mkdirat/openat and
// O_NOFOLLOW from the root's descriptor, so a symlink (bpffs allows them) or
// a `..` can never lead a pin outside the root; pins are made through
// /proc/self/fd/<dir>/<name> for the same reason (libbpf 1.1 has no
// path-fd pin call).
#pragma once

#include <string>
#include <string_view>

#include "pqbpf/loader/pin_path.h"
#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::loader {

class PinRoot {
 public:
  // Opens `path` (an existing directory on a bpf file system).
  static Result<PinRoot> open(const std::string& path);

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

  // The request's pin path made relative to the root: relative paths as
  // given, absolute ones only when they lie under the root. Errors:
  // kPermission for anything outside, kInvalidArgument for unsafe paths.
  Result<std::string> relative(std::string_view request_path) const;
  // Creates (0700) and opens the pin directory, never following symlinks.
  Result<UniqueFd> make_dir(std::string_view request_path) const;

 private:
  PinRoot(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

// Pins `object_fd` as `name` (one safe component) in the directory `dir_fd`.
Status pin_at(int dir_fd, const std::string& name, int object_fd);
// Removes a pin made by pin_at (best effort, for rollback and tests).
void unpin_at(int dir_fd, const std::string& name);

}  // namespace pqbpf::loader
