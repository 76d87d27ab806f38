// The bpf() -> user-notification filter (see seccomp_filter.h).
#include "seccomp_filter.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {
namespace {

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

Error lib_error(const char* what, int rc) {
  return make_error(ErrorCode::kInternal,
                    std::string("seccomp filter: ") + what + ": " + std::strerror(-rc));
}

// The compat ABIs of the native architecture.
std::vector<std::uint32_t> extra_arches(std::uint32_t native) {
  if (native == SCMP_ARCH_X86_64) return {SCMP_ARCH_X86, SCMP_ARCH_X32};
  if (native == SCMP_ARCH_AARCH64) return {SCMP_ARCH_ARM};
  return {};
}

// The AUDIT_ARCH_* a notification carries for a call of libseccomp's `arch`:
// the kernel reports an x32 call as x86-64, its number carrying
// __X32_SYSCALL_BIT (which libseccomp's x32 numbers include).
std::uint32_t reported_arch(std::uint32_t arch) {
  return arch == SCMP_ARCH_X32 ? static_cast<std::uint32_t>(SCMP_ARCH_X86_64) : arch;
}

}  // namespace

Result<BpfNotifyFilter> build_bpf_notify_filter(const std::set<std::uint32_t>& pass_in_kernel) {
  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return make_error(ErrorCode::kInternal, "seccomp filter: seccomp_init failed");
  // A syscall from an ABI the filter does not cover could reach bpf() by a
  // number we do not check: kill the whole process instead.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc < 0) {
    return lib_error("bad-arch action", rc);
  }
  const std::uint32_t native = seccomp_arch_native();
  std::vector<std::uint32_t> arches{native};
  for (std::uint32_t a : extra_arches(native)) {
    if (int rc = seccomp_arch_add(ctx.get(), a); rc < 0 && rc != -EEXIST) {
      return lib_error("adding a compat architecture", rc);
    }
    arches.push_back(a);
  }
  if (pass_in_kernel.empty()) {
    if (int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, SCMP_SYS(bpf), 0); rc < 0) {
      return lib_error("bpf() rule (does the kernel support user notification?)", rc);
    }
  } else {
    // Every command number that is not passed is notified, one rule each,
    // and every number past the last known command; what is left (the
    // passed commands) takes the default action, allow. libseccomp cannot
    // say "notify unless", hence the enumeration. The comparison is on the
    // low 32 bits, as the kernel reads `int cmd`.
    for (std::uint32_t cmd = 0; cmd <= kLastKnownBpfCommand; ++cmd) {
      if (pass_in_kernel.contains(cmd)) continue;
      if (int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, SCMP_SYS(bpf), 1, SCMP_A0_32(SCMP_CMP_EQ, cmd));
          rc < 0) {
        return lib_error("bpf() rule (does the kernel support user notification?)", rc);
      }
    }
    if (int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, SCMP_SYS(bpf), 1,
                                  SCMP_A0_32(SCMP_CMP_GT, kLastKnownBpfCommand));
        rc < 0) {
      return lib_error("bpf() rule for unknown commands", rc);
    }
  }

  BpfNotifyFilter out;
  for (std::uint32_t a : arches) {
    const int nr = seccomp_syscall_resolve_name_arch(a, "bpf");
    if (nr >= 0) out.bpf_syscalls.emplace(reported_arch(a), nr);
  }

  // libseccomp 2.5 exports only to an fd; a memfd keeps it in memory.
  UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "pqbpf-seccomp", MFD_CLOEXEC)));
  if (!mem.valid()) {
    return make_error(ErrorCode::kInternal, std::string("seccomp filter: memfd: ") + std::strerror(errno));
  }
  if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc < 0) return lib_error("export", rc);
  const off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0 || size > (1 << 20)) {
    return make_error(ErrorCode::kInternal, "seccomp filter: exported program has a bad size");
  }
  out.program.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), out.program.data(), static_cast<std::size_t>(size), 0) != size) {
    return make_error(ErrorCode::kInternal, "seccomp filter: could not read the exported program");
  }
  return out;
}

int install_filter_in_child(const BpfNotifyFilter& filter) noexcept {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter.program.size());
  prog.filter = const_cast<sock_filter*>(filter.program.data());
  const long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) return -errno;
  return static_cast<int>(fd);
}

}  // namespace pqbpf::sandbox::internal
