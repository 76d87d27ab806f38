// Small stateless functions: the reason-code and program-type tables,
// SHA3-256, bounded object reads, metadata and DID validation.
#include "native.h"

#include "pqbpf/core/did.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/program_type.h"
#include "pqbpf/core/reason.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::python {

void register_basics(py::module_& m) {
  m.def("reason_codes", [] {
    py::list out;
    for (int i = 0; i <= static_cast<int>(kLastReasonCode); ++i) {
      out.append(std::string(reason_code_name(static_cast<ReasonCode>(i))));
    }
    return out;
  }, "Every stable reason code, in declaration order.");

  m.def("program_type_names", [] {
    py::list out;
    for (BPFProgramType t : all_program_types()) out.append(std::string(program_type_name(t)));
    return out;
  }, "Every program type name the library knows.");

  m.def("sha3_256_hex", [](py::handle data) {
    std::vector<std::uint8_t> bytes = bytes_of(data, "data");
    std::string hex;
    {
      py::gil_scoped_release release;
      hex = crypto::to_hex(crypto::sha3_256(std::span<const std::uint8_t>(bytes)));
    }
    return hex;
  }, py::arg("data"), "Lowercase hex SHA3-256 of data.");

  m.def("read_object_file", [](const std::string& path) {
    Result<std::vector<std::uint8_t>> read = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      read = read_file(path, kMaxObjectFileSize);
    }
    if (!read.ok()) raise_library_error(read.error(), "ProgramNotFoundError");
    return to_py_bytes(*read);
  }, py::arg("path"), "Reads an object file (regular file, at most 64 MiB).");

  m.def("read_envelope_file", [](const std::string& path) {
    Result<std::vector<std::uint8_t>> read = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      read = read_file(path, kMaxEnvelopeFileSize);
    }
    if (!read.ok()) raise_library_error(read.error(), "ProgramNotFoundError");
    return to_py_bytes(*read);
  }, py::arg("path"), "Reads an envelope file (regular file, at most 128 MiB).");

  m.def("write_file_atomic", [](const std::string& path, py::handle data, bool overwrite) {
    std::vector<std::uint8_t> bytes;
    if (py::isinstance<py::str>(data)) {
      const std::string text = data.cast<std::string>();
      bytes.assign(text.begin(), text.end());
    } else {
      bytes = bytes_of(data, "data");
    }
    Status st = ok_status();
    {
      py::gil_scoped_release release;
      WriteOptions options;
      options.overwrite = overwrite;
      st = write_file_atomic(path, std::span<const std::uint8_t>(bytes), options);
    }
    if (!st.ok()) raise_library_error(st.error());
  }, py::arg("path"), py::arg("data"), py::arg("overwrite"),
     "Writes data to path atomically (temp file, fsync, rename), mode 0644.");

  m.def("version", [] { return std::string(PQBPF_VERSION); }, "The project version.");

  m.def("max_object_size", [] { return kMaxObjectFileSize; });

  m.def("validate_metadata", [](py::handle metadata) {
    BPFProgramMetadata md = metadata_from_python(metadata);
    Status st = validate_metadata(md, "metadata");
    if (!st.ok()) raise_library_error(st.error());
  }, py::arg("metadata"), "Raises InvalidInputError when a field breaks the manifest rules.");

  m.def("validate_did", [](const std::string& text) {
    auto did = Did::parse(text);
    if (!did.ok()) raise_library_error(did.error());
  }, py::arg("did"), "Raises InvalidInputError unless text is did:pqaid:<64 hex>.");
}

}  // namespace pqbpf::python
