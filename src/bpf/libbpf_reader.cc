// libbpf reader (see libbpf_reader.h). libbpf errors are negative errno or
// LIBBPF_ERRNO__* codes; they become one line here and nowhere else.
#include "libbpf_reader.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <memory>

#include "bpf_object_ptr.h"
#include "libbpf_quiet.h"

namespace pqbpf::bpf::internal {
namespace {

// Map names can come from BTF strings, which the ELF checks do not cover:
// keep them printable ASCII like every other string of an ObjectInfo.
std::string printable(const char* s) {
  std::string out = s != nullptr ? s : "";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

std::string libbpf_error_text(int err) {
  char buf[128] = {};
  libbpf_strerror(err, buf, sizeof buf);
  return std::string(buf) + " (libbpf error " + std::to_string(err) + ")";
}

}  // namespace

std::string linked_libbpf_version() {
  return std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version());
}

LibbpfObject open_with_libbpf(std::span<const std::uint8_t> bytes, const std::string& name) {
  LibbpfObject out;
  // libbpf hands the buffer to libelf, which may write to it: use a copy.
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  int err = 0;
  auto warnings = with_libbpf_quiet([&] {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
    errno = 0;
    BpfObjectPtr obj(
        bpf_object__open_mem(copy.data(), copy.size(), &opts));
    if (!obj) {
      err = errno != 0 ? -errno : -EINVAL;
      return;
    }
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      LibbpfProgram p;
      p.name = bpf_program__name(prog);
      p.section = bpf_program__section_name(prog);
      p.kernel_type = static_cast<int>(bpf_program__type(prog));
      p.expected_attach = static_cast<int>(bpf_program__expected_attach_type(prog));
      p.insn_count = bpf_program__insn_cnt(prog);
      out.programs.push_back(std::move(p));
    }
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj.get()) {
      MapInfo m;
      m.name = printable(bpf_map__name(map));
      const char* type = libbpf_bpf_map_type_str(bpf_map__type(map));
      m.type = type != nullptr ? type : "unknown";
      m.key_size = bpf_map__key_size(map);
      m.value_size = bpf_map__value_size(map);
      m.max_entries = bpf_map__max_entries(map);
      out.maps.push_back(std::move(m));
    }
    out.opened = true;
  });
  if (!out.opened) {
    out.programs.clear();
    out.maps.clear();
    out.failure = warnings.empty() ? libbpf_error_text(err)
                                   : warnings.front() + " (libbpf error " + std::to_string(err) + ")";
  }
  return out;
}

}  // namespace pqbpf::bpf::internal
