// _native.inspect_file / inspect_bytes: what a .bpf.o holds (programs, maps,
// license), read by the library's object reader, never loaded.
#include "native.h"

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::python {
namespace {

py::dict info_to_python(const bpf::ObjectInfo& info) {
  py::list programs, maps;
  for (const auto& p : info.programs) {
    py::dict d;
    d["name"] = p.name;
    d["section"] = p.section;
    d["type"] = std::string(bpf::program_type_label(p));
    d["kernel_type"] = p.type ? py::cast(std::string(program_type_name(*p.type))) : py::none();
    d["attach_target"] = p.attach_target;
    d["expected_attach_type"] = p.expected_attach_type;
    d["insn_count"] = p.insn_count;
    d["reachable_insns"] = p.reachable_insns ? py::cast(*p.reachable_insns) : py::none();
    d["insn_sha3_256"] = p.insn_sha3_256;
    programs.append(d);
  }
  for (const auto& mp : info.maps) {
    py::dict d;
    d["name"] = mp.name;
    d["type"] = mp.type;
    d["key_size"] = mp.key_size;
    d["value_size"] = mp.value_size;
    d["max_entries"] = mp.max_entries;
    maps.append(d);
  }
  py::dict out;
  out["programs"] = programs;
  out["maps"] = maps;
  out["license"] = info.license;
  out["has_btf"] = info.has_btf;
  out["reader"] = info.reader;
  out["unknown"] = info.unknown;
  out["libbpf_version"] = info.libbpf_version;
  return out;
}

}  // namespace

void register_inspect(py::module_& m) {
  m.def("inspect_file", [](const std::string& path) {
    Result<bpf::ObjectInfo> info = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      info = bpf::inspect_object_file(path);
    }
    if (!info.ok()) raise_library_error(info.error(), "ProgramNotFoundError");
    return info_to_python(*info);
  }, py::arg("path"));

  m.def("inspect_bytes", [](py::handle data, const std::string& label) {
    std::vector<std::uint8_t> bytes = bytes_of(data, "data");
    if (bytes.size() > kMaxObjectFileSize) {
      raise_python_error("InvalidInputError", "limit_exceeded",
                         label + ": object is larger than " + std::to_string(kMaxObjectFileSize) + " bytes");
    }
    Result<bpf::ObjectInfo> info = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      info = bpf::inspect_object(bytes, label);
    }
    if (!info.ok()) raise_library_error(info.error());
    return info_to_python(*info);
  }, py::arg("data"), py::arg("label"));
}

}  // namespace pqbpf::python
