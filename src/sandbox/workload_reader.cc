// Copying a pending bpf() call out of the workload (see workload_reader.h).
#include "workload_reader.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "pidfd_identity.h"
#include "pqbpf/core/unique_fd.h"
#include "proc_file.h"

namespace pqbpf::sandbox::internal {
namespace {

std::string first_line(std::string s) {
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// The first number after "Key:" in /proc/<tid>/status ("Uid:\t0\t0\t0\t0": real,
// effective, saved, fs; `index` picks one).
template <typename T>
std::optional<T> status_field(std::string_view status, std::string_view key, int index) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t end = status.find('\n', pos);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    line.remove_prefix(key.size() + 1);
    for (int i = 0;; ++i) {
      const auto start = line.find_first_not_of(" \t");
      if (start == std::string_view::npos) return std::nullopt;
      line.remove_prefix(start);
      const auto stop = std::min(line.find_first_of(" \t"), line.size());
      if (i == index) {
        T value{};
        auto [p, ec] = std::from_chars(line.data(), line.data() + stop, value);
        if (ec != std::errc() || p != line.data() + stop) return std::nullopt;
        return value;
      }
      line.remove_prefix(stop);
    }
  }
  return std::nullopt;
}

// /proc/<tid>/comm: at most 16 bytes and a newline, whole in one read.
std::optional<std::string> read_comm(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;
  char buf[64];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

Result<std::vector<std::uint8_t>> read_workload_memory(std::int64_t tid, std::uint64_t addr,
                                                       std::size_t size) {
  std::vector<std::uint8_t> out(size);
  std::size_t done = 0;
  while (done < size) {
    iovec local{out.data() + done, size - done};
    iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr + done)), size - done};
    const ssize_t n = ::process_vm_readv(static_cast<pid_t>(tid), &local, 1, &remote, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return make_error(ErrorCode::kIo, "could not read " + std::to_string(size) +
                                            " bytes of the caller's memory: " + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done != size) {
    return make_error(ErrorCode::kIo, "only " + std::to_string(done) + " of " + std::to_string(size) +
                                          " bytes of the caller's memory were readable");
  }
  return out;
}

Caller read_caller(std::int64_t tid, UniqueFd* thread_pidfd) {
  Caller c;
  c.tid = tid;
  const std::string dir = "/proc/" + std::to_string(tid) + "/";
  if (auto fast = identity_from_pidfd(tid, thread_pidfd)) {
    c.pid = fast->tgid;
    c.uid = fast->euid;
    c.cgroup = std::move(fast->cgroup);
  } else {
    if (auto status = read_proc_file(dir + "status")) {
      c.pid = status_field<std::int64_t>(*status, "Tgid", 0);
      c.uid = status_field<std::uint32_t>(*status, "Uid", 1);
    }
    if (auto cgroup = read_proc_file(dir + "cgroup")) c.cgroup = cgroup_v2_path(*cgroup);
  }
  if (auto comm = read_comm(dir + "comm")) c.command = first_line(*comm);
  char target[4096];
  const ssize_t n = ::readlink((dir + "exe").c_str(), target, sizeof(target));
  if (n > 0 && static_cast<std::size_t>(n) < sizeof(target)) c.exe = std::string(target, static_cast<std::size_t>(n));
  return c;
}

BpfCall call_from_notification(const seccomp_notif& n, bool is_bpf) {
  BpfCall call;
  call.notification_id = n.id;
  call.arch = n.data.arch;
  call.syscall_nr = n.data.nr;
  call.is_bpf = is_bpf;
  call.cmd = static_cast<std::uint32_t>(n.data.args[0]);
  const bool is32 = !(n.data.arch & __AUDIT_ARCH_64BIT);
  call.attr_addr = is32 ? (n.data.args[1] & 0xffffffffu) : n.data.args[1];
  call.attr_size = static_cast<std::uint32_t>(n.data.args[2]);
  return call;
}

void read_prog_load(BpfCall& call) {
  const std::uint32_t size = std::min(call.attr_size, kMaxAttrBytes);
  if (call.attr_addr == 0 || size == 0) {
    call.read_error = "the call names no attribute (address or size 0)";
    return;
  }
  auto attr = read_workload_memory(call.caller.tid, call.attr_addr, size);
  if (!attr.ok()) {
    call.read_error = "attribute: " + attr.error().message;
    return;
  }
  call.attr = std::move(attr).value();

  // The kernel zero-fills a short attribute; so does this copy.
  union bpf_attr a;
  std::memset(&a, 0, sizeof(a));
  std::memcpy(&a, call.attr.data(), std::min(call.attr.size(), sizeof(a)));
  ProgLoadRead& load = call.load.emplace();
  load.prog_type = a.prog_type;
  load.insn_cnt = a.insn_cnt;
  load.insns_addr = a.insns;
  load.name.assign(a.prog_name, strnlen(a.prog_name, sizeof(a.prog_name)));

  if (load.insn_cnt == 0) {
    load.insns_error = "the attribute claims no instructions";
  } else if (load.insn_cnt > kMaxInsns) {
    load.insns_error = "the attribute claims " + std::to_string(load.insn_cnt) +
                       " instructions, over the limit of " + std::to_string(kMaxInsns) + "; not read";
  } else {
    auto insns = read_workload_memory(call.caller.tid, load.insns_addr,
                                      static_cast<std::size_t>(load.insn_cnt) * kInsnBytes);
    if (insns.ok()) {
      load.insns = std::move(insns).value();
    } else {
      load.insns_error = "instructions: " + insns.error().message;
    }
  }
}

}  // namespace pqbpf::sandbox::internal
