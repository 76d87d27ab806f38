// Test scaffolding for attach targets: a private network namespace (for this
// thread and the threads it starts) with a veth pair, and a cgroup v2
// directory under this process's own cgroup. Both are removed at scope exit.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace pqbpf::testing {

// unshare(CLONE_NEWNET) on the calling thread; setns back when destroyed.
// The namespace (and its interfaces) vanishes with the last thread in it.
class PrivateNetns {
 public:
  PrivateNetns() {
    original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original_ < 0 || ::unshare(CLONE_NEWNET) != 0) {
      why_ = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    entered_ = true;
    // A veth pair when iproute2 is there; the namespace's own loopback otherwise.
    if (std::system("ip link add pqv0 type veth peer name pqv1 >/dev/null 2>&1 && "
                    "ip link set pqv0 up && ip link set pqv1 up") == 0) {
      ifname_ = "pqv0";
    } else {
      ifname_ = "lo";
    }
  }
  ~PrivateNetns() {
    if (entered_) (void)::setns(original_, CLONE_NEWNET);
    if (original_ >= 0) ::close(original_);
  }
  bool ok() const { return entered_; }
  const std::string& why() const { return why_; }
  const std::string& ifname() const { return ifname_; }

 private:
  int original_ = -1;
  bool entered_ = false;
  std::string why_;
  std::string ifname_;
};

// A fresh directory in this process's cgroup v2 (found via /proc/self/cgroup
// and the cgroup2 mount), removed (rmdir) at scope exit.
class TempCgroup {
 public:
  TempCgroup() {
    std::string mount;
    std::ifstream mounts("/proc/self/mounts");
    std::string dev, dir, type, rest;
    while (mounts >> dev >> dir >> type && std::getline(mounts, rest)) {
      if (type == "cgroup2") {
        mount = dir;
        break;
      }
    }
    if (mount.empty()) {
      why_ = "no cgroup2 mount";
      return;
    }
    std::ifstream self("/proc/self/cgroup");
    std::string line, own;
    while (std::getline(self, line)) {
      if (line.rfind("0::", 0) == 0) own = line.substr(3);
    }
    if (own == "/") own.clear();
    path_ = mount + own + "/pqbpf-attach-test-" + std::to_string(::getpid());
    if (::mkdir(path_.c_str(), 0755) != 0) {
      why_ = path_ + ": mkdir: " + std::strerror(errno);
      path_.clear();
    }
  }
  ~TempCgroup() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  bool ok() const { return !path_.empty(); }
  const std::string& why() const { return why_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string why_;
};

}  // namespace pqbpf::testing
