// Test fixture: a private bpf file system mounted on a fresh temp folder
// (this machine does not mount /sys/fs/bpf), unmounted and removed at scope
// exit, so tests never pin into the host's bpffs.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace pqbpf::testing {

class TempBpffs {
 public:
  TempBpffs() {
    std::string tmpl = "/tmp/pqbpf-bpffs-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      why_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    if (::mount("bpf", tmpl.c_str(), "bpf", 0, "mode=0700") != 0) {
      why_ = std::string("mount -t bpf: ") + std::strerror(errno);
      ::rmdir(tmpl.c_str());
      return;
    }
    path_ = tmpl;
  }
  ~TempBpffs() {
    if (path_.empty()) return;
    ::umount2(path_.c_str(), MNT_DETACH);
    ::rmdir(path_.c_str());
  }
  TempBpffs(const TempBpffs&) = delete;
  TempBpffs& operator=(const TempBpffs&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  const std::string& why() const { return why_; }

 private:
  std::string path_;
  std::string why_;
};

}  // namespace pqbpf::testing
