// Loading verified bytes with libbpf (see loader.h).
//
// Order: check the pin path, open the in-memory object, refuse an impossible
// attach and libbpf's own map pinning before the kernel sees anything, load,
// take our own duplicate of every program and map descriptor, pin programs
// and maps (a taken name, a link's too, fails before anything runs), attach,
// pin the links, then close the libbpf object. Our duplicates keep
// everything alive; on any error they are dropped and every pin made so far
// is removed, so a failed load leaves nothing behind.
#include "pqbpf/loader/loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "bpf_object_ptr.h"
#include "libbpf_quiet.h"
#include "pqbpf/loader/attach.h"

namespace pqbpf::loader {
namespace {

using ObjectPtr = bpf::internal::BpfObjectPtr;

std::string tag_hex(const unsigned char (&tag)[BPF_TAG_SIZE]) {
  std::string out;
  char buf[3];
  for (unsigned char b : tag) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    out += buf;
  }
  return out;
}

// The last few libbpf lines: the kernel verifier's complaint, usually.
std::string tail_of(const std::vector<std::string>& lines) {
  std::string out;
  const std::size_t from = lines.size() > 3 ? lines.size() - 3 : 0;
  for (std::size_t i = from; i < lines.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i].substr(0, 300);
  }
  return out;
}

Result<UniqueFd> dup_fd(int fd, const std::string& what) {
  UniqueFd out(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!out.valid()) return make_error(ErrorCode::kIo, what + ": dup: " + std::strerror(errno));
  return out;
}

// Pins programs and maps, before anything is attached: a name already taken
// in the pin directory (also a link's, checked here) fails the load while
// no program runs anywhere.
Status pin_programs_and_maps(LoadedObject& loaded, const LoadOptions& options, bool will_attach) {
  PQBPF_ASSIGN_OR_RETURN(const std::string rel, options.pin_root->relative(options.pin_path));
  PQBPF_ASSIGN_OR_RETURN(UniqueFd dir, options.pin_root->make_dir(options.pin_path));
  loaded.pin_dir = options.pin_root->path() + "/" + rel;
  if (will_attach) {
    for (const KernelProgram& p : loaded.programs) {
      const std::string name = pin_name_for("link_", p.name);
      struct stat st {};
      if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        return make_error(ErrorCode::kAlreadyExists, "pin " + name + ": " + std::strerror(EEXIST));
      }
    }
  }
  for (std::size_t i = 0; i < loaded.programs.size(); ++i) {
    KernelProgram& p = loaded.programs[i];
    const std::string name = pin_name_for("", p.name);
    PQBPF_RETURN_IF_ERROR(pin_at(dir.get(), name, loaded.program_fds[i].get()));
    p.pinned = name;
  }
  for (std::size_t i = 0; i < loaded.maps.size(); ++i) {
    KernelMap& m = loaded.maps[i];
    const std::string name = pin_name_for("map_", m.name);
    PQBPF_RETURN_IF_ERROR(pin_at(dir.get(), name, loaded.map_fds[i].get()));
    m.pinned = name;
  }
  return ok_status();
}

// Pins the links attach made, in the directory pin_programs_and_maps chose.
Status pin_links(LoadedObject& loaded, const LoadOptions& options) {
  PQBPF_ASSIGN_OR_RETURN(UniqueFd dir, options.pin_root->make_dir(options.pin_path));
  std::size_t link = 0;
  for (KernelProgram& p : loaded.programs) {
    if (p.link_id == 0) continue;
    const std::string name = pin_name_for("link_", p.name);
    PQBPF_RETURN_IF_ERROR(pin_at(dir.get(), name, loaded.link_fds[link++].get()));
    p.link_pinned = name;
  }
  return ok_status();
}

// A map with libbpf's `pinning` attribute: bpf_object__load would pin it
// under libbpf's pin_root_path (default /sys/fs/bpf, outside the gate's root,
// and the name is not checked for '/' or '..'), or bind the signed program to
// whatever map someone already pinned there. The gate pins only under its own
// root, so such an object is refused; "" when no map asks for it.
std::string map_pinned_by_libbpf(bpf_object* obj) {
  bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__pin_path(map) != nullptr) return bpf_map__name(map);
  }
  return "";
}

// Attaches every loaded program where its signed section or manifest says;
// the links go to `loaded.link_fds`.
Status attach_programs(bpf_object* obj, LoadedObject& loaded, const std::map<AttachKind, AttachTarget>& targets,
                       const std::string& label) {
  bpf_program* prog;
  std::size_t i = 0;
  bpf_object__for_each_program(prog, obj) {
    if (bpf_program__fd(prog) < 0) continue;
    KernelProgram& p = loaded.programs[i++];
    const AttachKind kind = attach_kind_of(bpf_program__type(prog));
    if (kind != AttachKind::kSection) {
      const AttachTarget& target = targets.at(kind);
      auto own = attach_to_target(bpf_program__fd(prog), bpf_program__expected_attach_type(prog), target);
      if (!own.ok()) return make_error(own.error().code, label + ": " + p.name + ": " + own.error().message);
      bpf_link_info info{};
      __u32 len = sizeof(info);
      if (bpf_obj_get_info_by_fd(own->get(), &info, &len) == 0) p.link_id = info.id;
      if (p.link_id == 0) return make_error(ErrorCode::kIo, label + ": link " + p.name + ": no kernel id");
      p.attach_target = target.text;
      loaded.link_fds.push_back(std::move(own).value());
      continue;
    }
    bpf_link* link = nullptr;
    int attach_err = 0;
    const auto attach_lines = bpf::internal::with_libbpf_quiet([&] {
      link = bpf_program__attach(prog);
      if (link == nullptr) attach_err = errno;
    });
    if (link == nullptr) {
      return make_error(ErrorCode::kRejected, label + ": attach of " + p.name + " failed: " +
                                                  std::strerror(attach_err) + ": " + tail_of(attach_lines));
    }
    // Our duplicate keeps the kernel link; destroying libbpf's handle only
    // closes its own descriptors.
    auto own = dup_fd(bpf_link__fd(link), label + ": link " + p.name);
    bpf_link_info info{};
    __u32 len = sizeof(info);
    if (own.ok() && bpf_obj_get_info_by_fd(own->get(), &info, &len) == 0) p.link_id = info.id;
    bpf_link__destroy(link);
    if (!own.ok()) return own.error();
    if (p.link_id == 0) return make_error(ErrorCode::kIo, label + ": link " + p.name + ": no kernel id");
    loaded.link_fds.push_back(std::move(own).value());
  }
  return ok_status();
}

Result<LoadedObject> load_inner(std::span<const std::uint8_t> verified, const std::string& label,
                                const LoadOptions& options) {
  // A pin path outside the root fails now, not after load and attach.
  if (options.pin_root != nullptr) {
    auto rel = options.pin_root->relative(options.pin_path);
    if (!rel.ok()) return make_error(rel.error().code, label + ": " + rel.error().message + "; nothing was loaded");
  }
  std::vector<std::string> lines;
  ObjectPtr obj;
  int load_err = 0;
  bool open_failed = false;
  std::string unsupported;
  std::string libbpf_pinned_map;
  // Manifest-named targets, resolved before the kernel sees anything (one
  // per kind: every program of that kind attaches to the signed target).
  std::map<AttachKind, AttachTarget> targets;
  std::optional<Error> target_error;
  lines = bpf::internal::with_libbpf_quiet([&] {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "pqbpf_gated");
    bpf_object* raw = bpf_object__open_mem(verified.data(), verified.size(), &opts);
    if (raw == nullptr) {
      open_failed = true;
      load_err = errno;
      return;
    }
    obj.reset(raw);
    libbpf_pinned_map = map_pinned_by_libbpf(raw);
    if (!libbpf_pinned_map.empty()) return;
    if (options.attach) {
      bpf_program* prog;
      bpf_object__for_each_program(prog, raw) {
        const AttachKind kind = attach_kind_of(bpf_program__type(prog));
        if (kind == AttachKind::kUnsupported) {
          unsupported =
              bpf_program__name(prog) + std::string(" (section ") + bpf_program__section_name(prog) + ")";
          return;
        }
        if (kind == AttachKind::kSection || targets.contains(kind)) continue;
        auto target = resolve_attach_target(kind, options.attach_point);
        if (!target.ok()) {
          target_error = target.error();
          return;
        }
        targets.emplace(kind, std::move(target).value());
      }
    }
    if (bpf_object__load(raw) != 0) load_err = errno;
  });
  if (open_failed) {
    return make_error(ErrorCode::kRejected, label + ": libbpf could not open the object: " +
                                                std::strerror(load_err) + " " + tail_of(lines));
  }
  if (!libbpf_pinned_map.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": map " + libbpf_pinned_map +
                          " asks libbpf to pin it (pinning LIBBPF_PIN_BY_NAME), which would pin or reuse a map "
                          "outside the gate's pin root; remove the attribute and use --pin; nothing was loaded");
  }
  if (!unsupported.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": program " + unsupported +
                          " cannot be attached by the gate; load it without attach and attach it yourself");
  }
  if (target_error) {
    return make_error(target_error->code, label + ": " + target_error->message + "; nothing was loaded");
  }
  if (load_err != 0) {
    return make_error(load_err == EPERM || load_err == EACCES ? ErrorCode::kPermission : ErrorCode::kRejected,
                      label + ": the kernel refused the object: " + std::strerror(load_err) +
                          (lines.empty() ? "" : ": " + tail_of(lines)));
  }

  LoadedObject loaded;
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj.get()) {
    const int fd = bpf_program__fd(prog);
    if (fd < 0) continue;  // autoload off
    KernelProgram p;
    p.name = bpf_program__name(prog);
    p.section = bpf_program__section_name(prog);
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
      return make_error(ErrorCode::kIo,
                        label + ": program " + p.name + ": no kernel info: " + std::strerror(errno));
    }
    p.id = info.id;
    p.tag = tag_hex(info.tag);
    PQBPF_ASSIGN_OR_RETURN(UniqueFd own, dup_fd(fd, label + ": program " + p.name));
    loaded.programs.push_back(std::move(p));
    loaded.program_fds.push_back(std::move(own));
  }
  bpf_map* map;
  bpf_object__for_each_map(map, obj.get()) {
    const int fd = bpf_map__fd(map);
    if (fd < 0) continue;
    KernelMap m;
    m.name = bpf_map__name(map);
    bpf_map_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) m.id = info.id;
    PQBPF_ASSIGN_OR_RETURN(UniqueFd own, dup_fd(fd, label + ": map " + m.name));
    loaded.maps.push_back(std::move(m));
    loaded.map_fds.push_back(std::move(own));
  }
  // Pins first (programs and maps; link names checked free), then attach,
  // then the links' pins: a taken name fails before any program runs. On
  // any error every pin made so far is removed and our descriptors dropped.
  if (options.pin_root != nullptr) {
    Status pinned = pin_programs_and_maps(loaded, options, options.attach);
    if (!pinned.ok()) {
      loaded.unpin_all(*options.pin_root);
      return make_error(pinned.error().code,
                        label + ": " + pinned.error().message + (options.attach ? "; nothing was attached" : ""));
    }
  }
  if (options.attach) {
    Status attached = attach_programs(obj.get(), loaded, targets, label);
    if (!attached.ok()) {
      if (options.pin_root != nullptr) loaded.unpin_all(*options.pin_root);
      return attached.error();
    }
  }
  if (options.pin_root != nullptr) {
    Status pinned = pin_links(loaded, options);
    if (!pinned.ok()) {
      loaded.unpin_all(*options.pin_root);
      return make_error(pinned.error().code, label + ": " + pinned.error().message);
    }
  }
  return loaded;
}

}  // namespace

void LoadedObject::unpin_all(const PinRoot& root) {
  if (pin_dir.empty()) return;
  const std::string rel = pin_dir.substr(root.path().size() + 1);
  auto dir = root.make_dir(rel);
  if (!dir.ok()) return;
  for (KernelProgram& p : programs) {
    if (!p.pinned.empty()) unpin_at(dir->get(), p.pinned);
    if (!p.link_pinned.empty()) unpin_at(dir->get(), p.link_pinned);
    p.pinned.clear();
    p.link_pinned.clear();
  }
  for (KernelMap& m : maps) {
    if (!m.pinned.empty()) unpin_at(dir->get(), m.pinned);
    m.pinned.clear();
  }
}

Result<LoadedObject> load_verified_object(std::span<const std::uint8_t> verified, const std::string& label,
                                          const LoadOptions& options) {
  try {
    return load_inner(verified, label, options);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, label + ": " + e.what());
  }
}

std::vector<std::uint32_t> kernel_program_ids() {
  std::vector<std::uint32_t> ids;
  __u32 id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) ids.push_back(id);
  return ids;
}

}  // namespace pqbpf::loader
