// Loading, attaching and running the gate's BPF LSM (see gate_lsm.h and
// docs/LSM.md). The order in start() matters: the LSM is loaded, the daemon
// marks itself as the gate and lists the LSM's own programs and maps as
// protected *before* the links are attached, so there is no moment where the
// LSM enforces without knowing who the gate is.
#include "pqbpf/lsm/gate_lsm.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "gate_lsm.h"

#ifdef PQBPF_HAVE_LSM_SKELETON
#include "gate_lsm.skel.h"
#endif

namespace pqbpf::lsm {

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kOff: return "off";
    case Mode::kAudit: return "audit";
    case Mode::kEnforce: return "enforce";
  }
  return "off";
}

Result<Mode> parse_mode(std::string_view text) {
  if (text == "off") return Mode::kOff;
  if (text == "audit") return Mode::kAudit;
  if (text == "enforce") return Mode::kEnforce;
  return make_error(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' is not off, audit or enforce");
}

#ifndef PQBPF_HAVE_LSM_SKELETON

struct GateLsm::Impl {};
GateLsm::GateLsm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GateLsm::~GateLsm() = default;
Result<std::unique_ptr<GateLsm>> GateLsm::start(const LsmOptions&, AttemptSink, LossSink) {
  return make_error(ErrorCode::kUnsupported,
                    "this pqc-bpf-gated was built without the BPF LSM (no kernel BTF or bpftool at build time)");
}
Status GateLsm::approve_programs(std::span<const UniqueFd>) { return ok_status(); }
nlohmann::json GateLsm::status() const { return nullptr; }

#else

namespace {

Error kernel_error(const std::string& what, int err) {
  if (err < 0) err = -err;
  return make_error(err == EPERM || err == EACCES ? ErrorCode::kPermission : ErrorCode::kIo,
                    what + ": " + std::strerror(err));
}

template <typename Info>
Result<Info> info_of(int fd, const std::string& what) {
  Info info{};
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return kernel_error(what, errno);
  return info;
}

}  // namespace

struct GateLsm::Impl {
  LsmOptions options;
  gate_lsm* skel = nullptr;
  ring_buffer* rb = nullptr;
  std::thread consumer;
  std::atomic<bool> stop{false};
  AttemptSink on_attempt;
  LossSink on_loss;
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> lost{0};
  std::atomic<std::uint64_t> approved{0};
  std::vector<std::uint32_t> prog_ids, map_ids, link_ids;
  std::vector<std::string> pins;
  std::mutex approve_mu;
  bool started = false;  // start() finished: pins stay when this ends

  ~Impl() {
    stop = true;
    if (consumer.joinable()) consumer.join();
    // A start that failed half-way leaves no pinned (and unremovable) LSM behind.
    if (!started) {
      for (const std::string& pin : pins) ::unlink(pin.c_str());
    }
    if (rb != nullptr) ring_buffer__free(rb);
    // Destroying the skeleton closes the link descriptors: enforcement ends
    // here unless persist pinned the links.
    if (skel != nullptr) gate_lsm__destroy(skel);
  }

  static int on_event(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    KernelAttempt attempt;
    if (!decode_event(data, size, attempt)) return 0;
    self->events++;
    if (self->on_attempt) self->on_attempt(attempt);
    return 0;
  }

  void check_lost() {
    const __u32 zero = 0;
    __u64 total = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost_events), &zero, &total) != 0) return;
    const std::uint64_t before = lost.exchange(total);
    if (total > before && on_loss) on_loss(total - before);
  }

  void run() {
    while (!stop) {
      (void)ring_buffer__poll(rb, 100);
      check_lost();
    }
    (void)ring_buffer__consume(rb);  // what arrived before the stop
    check_lost();
  }

  // persist: the pin (and, with ino 0, the bpffs it is on) in the kernel's
  // device numbering (MAJOR << 20 | MINOR), not stat's.
  Status protect_pin(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return kernel_error("lsm.persist: " + path, errno);
    gate_inode_key key{};
    key.dev = (::major(st.st_dev) << 20) | ::minor(st.st_dev);
    const __u8 one = 1;
    for (unsigned long long ino : {static_cast<unsigned long long>(st.st_ino), 0ull}) {
      key.ino = ino;
      if (bpf_map_update_elem(bpf_map__fd(skel->maps.protected_inodes), &key, &one, BPF_ANY) != 0)
        return kernel_error("lsm.persist: protecting " + path, errno);
    }
    return ok_status();
  }

  Status protect(std::uint32_t kind, std::uint32_t id) {
    gate_object_key key{kind, id};
    const __u8 one = 1;
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.protected_objects), &key, &one, BPF_ANY) != 0)
      return kernel_error("protecting object id " + std::to_string(id), errno);
    return ok_status();
  }
};

GateLsm::GateLsm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GateLsm::~GateLsm() = default;

Result<std::unique_ptr<GateLsm>> GateLsm::start(const LsmOptions& options, AttemptSink on_attempt,
                                                LossSink on_loss) {
  if (options.mode == Mode::kOff) return make_error(ErrorCode::kInvalidArgument, "lsm mode is off");
  if (options.scope_cgroups.size() > GATE_LSM_MAX_SCOPES)
    return make_error(ErrorCode::kLimitExceeded,
                      "lsm.scope: more than " + std::to_string(GATE_LSM_MAX_SCOPES) + " cgroups");
  if (options.persist && options.pin_dir.empty())
    return make_error(ErrorCode::kInvalidArgument, "lsm.persist needs a bpffs pin directory");
  if (options.persist) {
    struct stat st {};
    const std::string earlier = options.pin_dir + "/gate_bpf";
    if (::lstat(earlier.c_str(), &st) == 0)
      return make_error(ErrorCode::kAlreadyExists,
                        "lsm.persist: " + earlier + " exists: an earlier gate's pinned LSM still enforces, and "
                        "nothing but that gate may remove it; reboot to release it (docs/LSM.md, persist)");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->on_attempt = std::move(on_attempt);
  impl->on_loss = std::move(on_loss);

  impl->skel = gate_lsm__open();
  if (impl->skel == nullptr) return kernel_error("opening the BPF LSM skeleton", errno);
  gate_lsm* s = impl->skel;
  s->rodata->gate_mode = options.mode == Mode::kEnforce ? GATE_LSM_MODE_ENFORCE : GATE_LSM_MODE_AUDIT;
  s->rodata->digest_admission = options.digest_admission ? 1 : 0;
  s->rodata->scope_count = static_cast<__u32>(options.scope_cgroups.size());
  if (int err = gate_lsm__load(s); err != 0)
    return kernel_error("loading the BPF LSM (kernel without BPF LSM, locked down, or no CAP_BPF)", err);

  // The gate: this process's thread-group leader, through a pidfd of itself.
  UniqueFd self(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
  if (!self.valid()) return kernel_error("pidfd_open(self)", errno);
  const int pidfd = self.get();
  const __u64 mark = 1;
  if (bpf_map_update_elem(bpf_map__fd(s->maps.gate_task), &pidfd, &mark, BPF_ANY) != 0)
    return kernel_error("marking the gate process in the LSM's task storage", errno);

  for (std::size_t i = 0; i < options.scope_cgroups.size(); ++i) {
    const std::string& path = options.scope_cgroups[i];
    UniqueFd cg(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cg.valid()) return kernel_error("lsm.scope: " + path, errno);
    const __u32 idx = static_cast<__u32>(i);
    const __u32 fd = static_cast<__u32>(cg.get());
    if (bpf_map_update_elem(bpf_map__fd(s->maps.scopes), &idx, &fd, BPF_ANY) != 0)
      return kernel_error("lsm.scope: " + path + ": not a cgroup v2 directory", errno);
  }

  // The LSM's own programs and maps: nobody else gets a descriptor to them.
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, s->obj) {
    PQBPF_ASSIGN_OR_RETURN(auto info, info_of<bpf_map_info>(bpf_map__fd(map), "map info"));
    impl->map_ids.push_back(info.id);
    PQBPF_RETURN_IF_ERROR(impl->protect(GATE_OBJ_MAP, info.id));
  }
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, s->obj) {
    PQBPF_ASSIGN_OR_RETURN(auto info, info_of<bpf_prog_info>(bpf_program__fd(prog), "program info"));
    impl->prog_ids.push_back(info.id);
    PQBPF_RETURN_IF_ERROR(impl->protect(GATE_OBJ_PROG, info.id));
  }

  impl->rb = ring_buffer__new(bpf_map__fd(s->maps.events), &Impl::on_event, impl.get(), nullptr);
  if (impl->rb == nullptr) return kernel_error("ring buffer", errno);

  if (int err = gate_lsm__attach(s); err != 0) return kernel_error("attaching the BPF LSM", err);
  struct Named {
    const char* name;
    bpf_link* link;
  };
  for (const Named& l : {Named{"gate_bpf", s->links.gate_bpf}, Named{"gate_bpf_prog", s->links.gate_bpf_prog},
                         Named{"gate_bpf_map", s->links.gate_bpf_map}, Named{"gate_ptrace", s->links.gate_ptrace},
                         Named{"gate_unlink", s->links.gate_unlink}, Named{"gate_rename", s->links.gate_rename},
                         Named{"gate_umount", s->links.gate_umount},
                         Named{"gate_inode_permission", s->links.gate_inode_permission}}) {
    PQBPF_ASSIGN_OR_RETURN(auto info, info_of<bpf_link_info>(bpf_link__fd(l.link), "link info"));
    impl->link_ids.push_back(info.id);
    PQBPF_RETURN_IF_ERROR(impl->protect(GATE_OBJ_LINK, info.id));
    if (options.persist) {
      const std::string path = options.pin_dir + "/" + l.name;
      if (int err = bpf_link__pin(l.link, path.c_str()); err != 0)
        return kernel_error("lsm.persist: pinning " + path, err);
      impl->pins.push_back(path);
      PQBPF_RETURN_IF_ERROR(impl->protect_pin(path));
    }
  }
  Impl* raw = impl.get();
  impl->consumer = std::thread([raw] { raw->run(); });
  impl->started = true;
  return std::unique_ptr<GateLsm>(new GateLsm(std::move(impl)));
}

Status GateLsm::approve_programs(std::span<const UniqueFd> program_fds) {
  if (!impl_->options.digest_admission) return ok_status();
  std::lock_guard lock(impl_->approve_mu);
  for (const UniqueFd& fd : program_fds) {
    if (!fd.valid()) continue;
    PQBPF_ASSIGN_OR_RETURN(auto info, info_of<bpf_prog_info>(fd.get(), "approved program info"));
    __u64 tag = 0;
    static_assert(sizeof(tag) == sizeof(info.tag));
    std::memcpy(&tag, info.tag, sizeof(tag));
    gate_approval value{info.type, info.xlated_prog_len / 8};
    if (bpf_map_update_elem(bpf_map__fd(impl_->skel->maps.approved), &tag, &value, BPF_ANY) != 0)
      return kernel_error("approving program id " + std::to_string(info.id), errno);
    impl_->approved++;
  }
  return ok_status();
}

nlohmann::json GateLsm::status() const {
  const Impl& i = *impl_;
  return nlohmann::json{{"mode", std::string(mode_name(i.options.mode))},
                        {"digest_admission", i.options.digest_admission},
                        {"persist", i.options.persist},
                        {"pins", i.pins},
                        {"scope", i.options.scope_cgroups},
                        {"program_ids", i.prog_ids},
                        {"link_ids", i.link_ids},
                        {"map_ids", i.map_ids},
                        {"events", i.events.load()},
                        {"lost_events", i.lost.load()},
                        {"approved_programs", i.approved.load()}};
}

#endif  // PQBPF_HAVE_LSM_SKELETON

}  // namespace pqbpf::lsm
