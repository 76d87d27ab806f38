// _native.Identity: the library's Identity (ML-DSA-65 key pair with a name,
// capabilities and a bound DID) and its key files. The seed is never
// exposed to Python; only the key-file writer sees it.
#include <memory>

#include "native.h"

#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_purpose.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/core/public_key_file.h"

namespace pqbpf::python {
namespace {

struct PyIdentity {
  explicit PyIdentity(Identity id) : identity(std::move(id)) {}
  Identity identity;
};

std::optional<crypto::SecureBytes> passphrase_of(py::handle passphrase) {
  if (passphrase.is_none()) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  if (py::isinstance<py::str>(passphrase)) {
    std::string text = passphrase.cast<std::string>();
    bytes.assign(text.begin(), text.end());
    std::fill(text.begin(), text.end(), '\0');
  } else {
    bytes = bytes_of(passphrase, "passphrase");
  }
  crypto::SecureBytes secret{std::span<const std::uint8_t>(bytes)};
  std::fill(bytes.begin(), bytes.end(), 0);
  return secret;
}

KdfLimits kdf_of(const std::string& name) {
  if (name == "interactive") return KdfLimits::interactive();
  if (name == "moderate") return KdfLimits::moderate();
  if (name == "minimum") return KdfLimits::minimum();
  raise_python_error("InvalidInputError", "invalid_argument",
                     "kdf: expected 'interactive', 'moderate' or 'minimum', got '" + name + "'");
}

}  // namespace

const Identity& identity_of(py::handle object) {
  return object.cast<const PyIdentity&>().identity;
}

void register_identity(py::module_& m) {
  py::class_<PyIdentity, std::shared_ptr<PyIdentity>>(m, "Identity")
      .def_static("create", [](const std::string& name, std::vector<std::string> capabilities) {
        Result<Identity> id = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          id = Identity::create(name, std::move(capabilities));
        }
        if (!id.ok()) raise_library_error(id.error());
        return std::make_shared<PyIdentity>(std::move(*id));
      }, py::arg("name"), py::arg("capabilities"))
      .def_static("load", [](const std::string& path, py::handle passphrase) {
        std::optional<crypto::SecureBytes> secret = passphrase_of(passphrase);
        Result<Identity> id = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          PassphraseProvider provider;
          if (secret) provider = [&secret]() -> Result<crypto::SecureBytes> { return *secret; };
          id = load_key_file(path, provider);
        }
        if (!id.ok()) raise_library_error(id.error());
        return std::make_shared<PyIdentity>(std::move(*id));
      }, py::arg("path"), py::arg("passphrase"))
      .def("save", [](const PyIdentity& self, const std::string& path, py::handle passphrase,
                      bool force, const std::string& kdf) {
        KeySaveOptions options;
        options.force = force;
        options.passphrase = passphrase_of(passphrase);
        options.kdf = kdf_of(kdf);
        Status st = ok_status();
        {
          py::gil_scoped_release release;
          st = save_key_file(path, self.identity, options);
        }
        if (!st.ok()) raise_library_error(st.error());
      }, py::arg("path"), py::arg("passphrase"), py::arg("force"), py::arg("kdf"))
      .def("save_public", [](const PyIdentity& self, const std::string& path, bool force) {
        Status st = ok_status();
        {
          py::gil_scoped_release release;
          st = save_public_key_file(path, self.identity.public_identity(), force);
        }
        if (!st.ok()) raise_library_error(st.error());
      }, py::arg("path"), py::arg("force"))
      // "objects" or "log": raises unless the key was made for that purpose
      // (core/key_purpose.h), so BPFSigner refuses a log key when built.
      .def("check_purpose", [](const PyIdentity& self, const std::string& purpose) {
        if (purpose != "objects" && purpose != "log") {
          raise_library_error(Error{ErrorCode::kInvalidArgument,
                                    "purpose: expected 'objects' or 'log', got '" + purpose + "'"});
        }
        const Status st = check_key_purpose(
            self.identity, purpose == "objects" ? KeyPurpose::kSignObjects : KeyPurpose::kSignLog);
        if (!st.ok()) raise_library_error(st.error());
      }, py::arg("purpose"))
      .def_property_readonly("did", [](const PyIdentity& s) { return s.identity.did().str(); })
      .def_property_readonly("name", [](const PyIdentity& s) { return s.identity.name(); })
      .def_property_readonly("capabilities",
                             [](const PyIdentity& s) { return s.identity.capabilities(); })
      .def_property_readonly("created_at", [](const PyIdentity& s) { return s.identity.created_at(); })
      .def_property_readonly("algorithm",
                             [](const PyIdentity& s) { return std::string(s.identity.algorithm()); })
      .def_property_readonly("public_key", [](const PyIdentity& s) {
        return to_py_bytes(s.identity.public_key().bytes());
      });

  m.def("load_public_key", [](const std::string& path) {
    Result<PublicIdentity> id = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      id = load_public_key_file(path);
    }
    if (!id.ok()) raise_library_error(id.error());
    return py::make_tuple(id->did().str(), id->name(), to_py_bytes(id->public_key().bytes()));
  }, py::arg("path"), "Reads a .pub file; its DID is checked against its key.");
}

}  // namespace pqbpf::python
