// load_program (see own_load.h).
#include "own_load.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace pqbpf::sandbox::internal {
namespace {

std::string kernel_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (out.size() == BPF_OBJ_NAME_LEN - 1) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') out += c;
  }
  return out;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 0xf];
  }
  return s;
}

}  // namespace

OwnLoadResult load_program(const OwnLoadRequest& r) {
  OwnLoadResult out;
  const std::string name = kernel_name(r.name);
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.prog_flags = r.prog_flags;
  opts.expected_attach_type = static_cast<bpf_attach_type>(r.expected_attach_type);
  opts.kern_version = r.kern_version;
  const int fd = bpf_prog_load(static_cast<bpf_prog_type>(r.prog_type), name.empty() ? nullptr : name.c_str(),
                               r.license.c_str(), reinterpret_cast<const bpf_insn*>(r.insns.data()),
                               r.insns.size() / sizeof(bpf_insn), &opts);
  if (fd < 0) {
    out.error = errno != 0 ? errno : EINVAL;
    return out;
  }
  out.fd = UniqueFd(fd);
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
    out.info.name = std::string(info.name, strnlen(info.name, sizeof(info.name)));
    out.info.id = info.id;
    out.info.tag = hex(info.tag, sizeof(info.tag));
  }
  return out;
}

}  // namespace pqbpf::sandbox::internal
