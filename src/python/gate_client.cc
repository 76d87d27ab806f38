// _native.GateClient: the client of pqc-bpf-gated (include/pqbpf/gate/client.h).
// Descriptors the daemon returns are handed to Python as plain ints that
// the Python LoadReply owns (it closes them unless the caller takes them).
#include <chrono>
#include <memory>
#include <mutex>

#include "native.h"

#include "pqbpf/gate/client.h"

namespace pqbpf::python {
namespace {

struct PyGateClient {
  explicit PyGateClient(gate::GateClient c) : client(std::move(c)) {}
  gate::GateClient client;
  std::mutex mu;  // one exchange at a time on the socket (the GIL is released)
};

py::dict reply_to_python(gate::LoadReply& r) {
  py::dict d;
  d["ok"] = r.ok;
  d["decision"] = r.decision ? py::cast(std::string(decision_name(*r.decision))) : py::none();
  d["reason"] = r.reason;
  d["sentence"] = r.sentence;
  d["log_seq"] = r.log_seq ? py::cast(*r.log_seq) : py::none();
  d["load_log_seq"] = r.load_log_seq ? py::cast(*r.load_log_seq) : py::none();
  d["kernel_loaded"] = r.kernel_loaded;
  d["error"] = r.error ? py::cast(r.error->message) : py::none();
  d["error_code"] = r.error ? py::cast(std::string(error_code_name(r.error->code))) : py::none();
  py::list programs, maps, fds;
  for (const auto& p : r.programs) {
    py::dict pd;
    pd["name"] = p.name;
    pd["section"] = p.section;
    pd["tag"] = p.tag;
    pd["id"] = p.id;
    pd["fd"] = p.fd;
    pd["pin"] = p.pin;
    pd["link_id"] = p.link_id;
    pd["link_fd"] = p.link_fd;
    programs.append(pd);
  }
  for (const auto& mp : r.maps) {
    py::dict md;
    md["name"] = mp.name;
    md["id"] = mp.id;
    md["fd"] = mp.fd;
    md["pin"] = mp.pin;
    maps.append(md);
  }
  // Ownership moves to Python: release every descriptor from the reply.
  for (auto& fd : r.fds) fds.append(fd.release());
  d["programs"] = programs;
  d["maps"] = maps;
  d["fds"] = fds;
  d["pin_dir"] = r.pin_dir;
  d["json"] = r.json;
  return d;
}

}  // namespace

void register_gate_client(py::module_& m) {
  py::class_<PyGateClient, std::shared_ptr<PyGateClient>>(m, "GateClient")
      .def_static("connect", [](const std::string& socket_path, double timeout_seconds) {
        if (!(timeout_seconds > 0) || timeout_seconds > 3600) {
          raise_python_error("InvalidInputError", "invalid_argument",
                             "timeout: expected 0 < seconds <= 3600");
        }
        Result<gate::GateClient> c = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          c = gate::GateClient::connect(
              socket_path, std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000)));
        }
        if (!c.ok()) raise_library_error(c.error());
        return std::make_shared<PyGateClient>(std::move(*c));
      }, py::arg("socket_path"), py::arg("timeout"))
      .def("load", [](PyGateClient& self, py::handle envelope, py::handle object, py::handle use_memfd,
                      bool return_fds, bool attach, const std::string& pin_path) {
        // None: inline when it fits one message, else memfds; True/False: memfds/inline.
        const gate::Transport transport =
            use_memfd.is_none() ? gate::Transport::kAuto
                                : (use_memfd.cast<bool>() ? gate::Transport::kMemfd : gate::Transport::kInline);
        std::vector<std::uint8_t> env = bytes_of(envelope, "envelope");
        std::optional<std::vector<std::uint8_t>> obj;
        if (!object.is_none()) obj = bytes_of(object, "object");
        Result<gate::LoadReply> reply = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          std::lock_guard<std::mutex> lock(self.mu);
          gate::ClientLoadRequest req;
          req.envelope = env;
          if (obj) req.object = std::span<const std::uint8_t>(*obj);
          req.transport = transport;
          req.return_fds = return_fds;
          req.attach = attach;
          req.pin_path = pin_path;
          reply = self.client.load(req);
        }
        if (!reply.ok()) raise_library_error(reply.error());
        return reply_to_python(*reply);
      }, py::arg("envelope"), py::arg("object"), py::arg("use_memfd"), py::arg("return_fds"),
         py::arg("attach"), py::arg("pin_path"))
      .def("status", [](PyGateClient& self) {
        Result<std::string> s = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          std::lock_guard<std::mutex> lock(self.mu);
          s = self.client.status();
        }
        if (!s.ok()) raise_library_error(s.error());
        return *s;
      });
}

}  // namespace pqbpf::python
