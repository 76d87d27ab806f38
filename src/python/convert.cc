// Error and value conversion between the library and Python (see native.h).
#include <Python.h>

#include "native.h"

#include "pqbpf/core/program_type.h"

namespace pqbpf::python {

void raise_python_error(std::string_view cls, std::string_view reason, const std::string& message) {
  py::object type = py::module_::import("pqc_ebpf_attestation.errors").attr(std::string(cls).c_str());
  py::object exc = type(message, py::arg("reason") = std::string(reason));
  PyErr_SetObject(type.ptr(), exc.ptr());
  throw py::error_already_set();
}

void raise_library_error(const Error& error, std::string_view io_cls) {
  std::string_view cls = "BPFAttestationError";
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kUnsupported:
      cls = "InvalidInputError";
      break;
    case ErrorCode::kNotFound:
      cls = io_cls;
      break;
    default:
      break;
  }
  raise_python_error(cls, error_code_name(error.code), error.message);
}

std::vector<std::uint8_t> bytes_of(py::handle object, const char* what) {
  if (PyBytes_Check(object.ptr())) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(PyBytes_AS_STRING(object.ptr()));
    return {data, data + PyBytes_GET_SIZE(object.ptr())};
  }
  if (PyByteArray_Check(object.ptr()) || PyMemoryView_Check(object.ptr())) {
    PyObject* copy = PyBytes_FromObject(object.ptr());
    if (copy == nullptr) {  // e.g. a released memoryview
      PyErr_Clear();
      raise_python_error("InvalidInputError", "invalid_argument",
                         std::string(what) + ": the buffer cannot be read");
    }
    py::object owned = py::reinterpret_steal<py::object>(copy);
    return bytes_of(owned, what);
  }
  raise_python_error("InvalidInputError", "invalid_argument",
                     std::string(what) + ": expected bytes, got " +
                         std::string(py::str(py::type::handle_of(object).attr("__name__"))));
}

py::bytes to_py_bytes(std::span<const std::uint8_t> data) {
  return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}

std::string str_attr(py::handle object, const char* name) {
  py::object value = py::getattr(object, name, py::none());
  if (!py::isinstance<py::str>(value)) {
    raise_python_error("InvalidInputError", "invalid_argument",
                       std::string(name) + ": expected str, got " +
                           std::string(py::str(py::type::handle_of(value).attr("__name__"))));
  }
  return value.cast<std::string>();
}

std::string enum_value(py::handle object, const char* what) {
  py::object value = py::reinterpret_borrow<py::object>(object);
  if (!py::isinstance<py::str>(value) && py::hasattr(value, "value")) value = value.attr("value");
  if (!py::isinstance<py::str>(value)) {
    raise_python_error("InvalidInputError", "invalid_argument",
                       std::string(what) + ": expected a str or an enum member with a str value");
  }
  return value.cast<std::string>();
}

BPFProgramMetadata metadata_from_python(py::handle md) {
  BPFProgramMetadata out;
  out.name = str_attr(md, "name");
  const std::string type = enum_value(md.attr("program_type"), "program_type");
  auto parsed = parse_program_type(type);
  if (!parsed.ok()) raise_library_error(parsed.error());
  out.program_type = *parsed;
  out.attach_point = str_attr(md, "attach_point");
  out.author = str_attr(md, "author");
  out.description = str_attr(md, "description");
  out.version = str_attr(md, "version");
  out.license = str_attr(md, "license");
  out.kernel_min = str_attr(md, "kernel_min");
  return out;
}

py::dict metadata_to_python(const BPFProgramMetadata& md) {
  py::dict d;
  d["name"] = md.name;
  d["program_type"] = std::string(program_type_name(md.program_type));
  d["attach_point"] = md.attach_point;
  d["author"] = md.author;
  d["description"] = md.description;
  d["version"] = md.version;
  d["license"] = md.license;
  d["kernel_min"] = md.kernel_min;
  return d;
}

SignedParts signed_parts_from_python(py::handle s) {
  SignedParts p;
  py::object program = s.attr("program");
  p.manifest_json = str_attr(s, "manifest");
  p.public_key = bytes_of(s.attr("public_key"), "public_key");
  p.signature = bytes_of(s.attr("signature"), "signature");
  p.bytecode = bytes_of(program.attr("bytecode"), "program.bytecode");
  p.claimed_signer_did = str_attr(s, "signer_did");
  p.claimed_algorithm = str_attr(s, "algorithm");
  p.claimed_signed_at = str_attr(s, "signed_at");
  p.claimed_bytecode_hash = str_attr(program, "bytecode_hash");
  p.claimed_metadata = metadata_from_python(program.attr("metadata"));
  p.label = "program '" + p.claimed_metadata.name + "'";
  return p;
}

}  // namespace pqbpf::python
