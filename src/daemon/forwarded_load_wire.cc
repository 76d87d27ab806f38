// The forwarded-load body: parsing and encoding (see forwarded_load.h).
//
// Layout, little-endian: a 56-byte fixed part
//   0 u32 arch | 4 u32 cmd (5) | 8 u32 attr_size | 12 u8 still_valid (0/1)
//   13 u8 present (1 pid, 2 uid, 4 command, 8 exe, 16 cgroup, 32 load,
//   64 read_error, 128 insns_error) | 14 u16 map descriptor count
//   16 i64 tid | 24 i64 pid | 32 u32 uid | 36 u32 prog_type | 40 u32 insn_cnt
//   44 u32 inline instruction bytes | 48 u64 insns_addr
// then seven texts, each u16 length + bytes: attr, name, command, exe, cgroup,
// read_error, insns_error; then the inline instructions; then one i32
// workload fd number per map descriptor.
#include <cstring>
#include <string>

#include "pqbpf/daemon/forwarded_load.h"

namespace pqbpf::daemon {
namespace {

enum Present : std::uint8_t {
  kPid = 1,
  kUid = 2,
  kCommand = 4,
  kExe = 8,
  kCgroup = 16,
  kLoad = 32,
  kReadError = 64,
  kInsnsError = 128,
};

Error bad(ErrorCode code, const std::string& what) {
  return make_error(code, "forwarded load: " + what);
}

template <typename T>
T get(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    v = static_cast<T>(v | (static_cast<T>(p[i]) << (8 * i)));
  }
  return v;
}

template <typename T>
void put(std::vector<std::uint8_t>& out, T v) {
  using U = std::make_unsigned_t<T>;
  const U u = static_cast<U>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> b) : b_(b) {}
  std::size_t left() const { return b_.size() - at_; }
  // A u16-length text of at most `max` bytes.
  Result<std::string> text(const char* what, std::size_t max) {
    if (left() < 2) return bad(ErrorCode::kParse, std::string("truncated before ") + what);
    const std::size_t n = get<std::uint16_t>(b_.data() + at_);
    at_ += 2;
    if (n > max) {
      return bad(ErrorCode::kLimitExceeded, std::string(what) + " of " + std::to_string(n) +
                                                " bytes, at most " + std::to_string(max));
    }
    if (left() < n) return bad(ErrorCode::kParse, std::string("truncated in ") + what);
    std::string s(reinterpret_cast<const char*>(b_.data() + at_), n);
    at_ += n;
    return s;
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    auto s = b_.subspan(at_, n);
    at_ += n;
    return s;
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t at_ = 0;
};

void put_text(std::vector<std::uint8_t>& out, const std::string& s) {
  put<std::uint16_t>(out, static_cast<std::uint16_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

}  // namespace

Result<ForwardedLoad> parse_forwarded_load(std::span<const std::uint8_t> body, bool insns_memfd,
                                           std::size_t fd_count) {
  if (body.size() < kForwardedFixedSize) {
    return bad(ErrorCode::kParse, "body of " + std::to_string(body.size()) +
                                      " bytes, the fixed part is " +
                                      std::to_string(kForwardedFixedSize));
  }
  const std::uint8_t* h = body.data();
  ForwardedLoad f;
  f.insns_memfd = insns_memfd;
  sandbox::BpfCall& c = f.call;
  c.is_bpf = true;
  c.arch = get<std::uint32_t>(h);
  c.cmd = get<std::uint32_t>(h + 4);
  c.attr_size = get<std::uint32_t>(h + 8);
  const std::uint8_t valid = h[12];
  const std::uint8_t present = h[13];
  const std::size_t map_count = get<std::uint16_t>(h + 14);
  c.caller.tid = get<std::int64_t>(h + 16);
  const std::int64_t pid = get<std::int64_t>(h + 24);
  const std::uint32_t uid = get<std::uint32_t>(h + 32);
  const std::uint32_t prog_type = get<std::uint32_t>(h + 36);
  const std::uint32_t insn_cnt = get<std::uint32_t>(h + 40);
  const std::uint32_t inline_bytes = get<std::uint32_t>(h + 44);
  const std::uint64_t insns_addr = get<std::uint64_t>(h + 48);

  if (c.cmd != kBpfProgLoadCmd) return bad(ErrorCode::kInvalidArgument, "cmd is not BPF_PROG_LOAD");
  if (valid > 1) return bad(ErrorCode::kParse, "still_valid is not 0 or 1");
  c.still_valid = valid == 1;
  if (c.caller.tid <= 0) return bad(ErrorCode::kInvalidArgument, "tid is not positive");
  const bool load = (present & kLoad) != 0;
  if ((present & kPid) ? pid <= 0 : pid != 0) return bad(ErrorCode::kInvalidArgument, "bad pid");
  if (!(present & kUid) && uid != 0) return bad(ErrorCode::kInvalidArgument, "uid set but absent");
  if (!load && (prog_type | insn_cnt | inline_bytes | insns_addr) != 0) {
    return bad(ErrorCode::kInvalidArgument, "load fields set without a load");
  }
  if (!load && ((present & kInsnsError) || insns_memfd)) {
    return bad(ErrorCode::kInvalidArgument, "instructions without a load");
  }
  if (insn_cnt > sandbox::kMaxInsns && (inline_bytes != 0 || insns_memfd)) {
    return bad(ErrorCode::kLimitExceeded, "more instructions than the kernel's limit");
  }
  if (inline_bytes > kMaxInlineInsnBytes) {
    return bad(ErrorCode::kLimitExceeded, "inline instructions past " +
                                              std::to_string(kMaxInlineInsnBytes) +
                                              " bytes; send them as a sealed memfd");
  }
  if (inline_bytes != 0 &&
      (insns_memfd || inline_bytes != std::uint64_t{insn_cnt} * sandbox::kInsnBytes)) {
    return bad(ErrorCode::kInvalidArgument, "inline instructions are not insn_cnt * 8 bytes");
  }
  if (insns_memfd && insn_cnt == 0)
    return bad(ErrorCode::kInvalidArgument, "a memfd of no instructions");
  if (map_count > kMaxForwardedMapFds) {
    return bad(ErrorCode::kLimitExceeded, std::to_string(map_count) + " map descriptors, at most " +
                                              std::to_string(kMaxForwardedMapFds));
  }
  if (fd_count != (insns_memfd ? 1u : 0u) + map_count) {
    return bad(ErrorCode::kInvalidArgument,
               "expected " + std::to_string((insns_memfd ? 1u : 0u) + map_count) +
                   " descriptors, got " + std::to_string(fd_count));
  }
  if (present & kPid) c.caller.pid = pid;
  if (present & kUid) c.caller.uid = uid;

  Cursor cur(body.subspan(kForwardedFixedSize));
  auto field = [&](const char* what, std::size_t max, bool is_present) -> Result<std::string> {
    PQBPF_ASSIGN_OR_RETURN(std::string s, cur.text(what, max));
    if (!is_present && !s.empty())
      return bad(ErrorCode::kInvalidArgument, std::string(what) + " set but absent");
    return s;
  };
  PQBPF_ASSIGN_OR_RETURN(std::string attr, field("attr", sandbox::kMaxAttrBytes, true));
  PQBPF_ASSIGN_OR_RETURN(std::string name, field("name", 15, load));
  PQBPF_ASSIGN_OR_RETURN(std::string command,
                         field("command", kMaxForwardedText, present & kCommand));
  PQBPF_ASSIGN_OR_RETURN(std::string exe, field("exe", kMaxForwardedText, present & kExe));
  PQBPF_ASSIGN_OR_RETURN(std::string cgroup, field("cgroup", kMaxForwardedText, present & kCgroup));
  PQBPF_ASSIGN_OR_RETURN(std::string read_error,
                         field("read_error", kMaxForwardedText, present & kReadError));
  PQBPF_ASSIGN_OR_RETURN(std::string insns_error,
                         field("insns_error", kMaxForwardedText, present & kInsnsError));
  if (name.find('\0') != std::string::npos)
    return bad(ErrorCode::kInvalidArgument, "a NUL in the name");
  if (cur.left() != std::size_t{inline_bytes} + map_count * 4) {
    return bad(ErrorCode::kParse, "the body's length does not match its fields");
  }
  c.attr.assign(attr.begin(), attr.end());
  if (present & kCommand) c.caller.command = std::move(command);
  if (present & kExe) c.caller.exe = std::move(exe);
  if (present & kCgroup) c.caller.cgroup = std::move(cgroup);
  if (present & kReadError) c.read_error = std::move(read_error);
  if (load) {
    sandbox::ProgLoadRead& l = c.load.emplace();
    l.prog_type = prog_type;
    l.insn_cnt = insn_cnt;
    l.insns_addr = insns_addr;
    l.name = std::move(name);
    const auto insns = cur.take(inline_bytes);
    l.insns.assign(insns.begin(), insns.end());
    if (present & kInsnsError) l.insns_error = std::move(insns_error);
  }
  const auto table = cur.take(map_count * 4);
  for (std::size_t i = 0; i < map_count; ++i) {
    const auto fd = get<std::int32_t>(table.data() + 4 * i);
    if (fd < 0) return bad(ErrorCode::kInvalidArgument, "a negative workload fd number");
    for (std::int32_t seen : f.map_fds) {
      if (seen == fd)
        return bad(ErrorCode::kInvalidArgument, "workload fd " + std::to_string(fd) + " twice");
    }
    f.map_fds.push_back(fd);
  }
  return f;
}

std::vector<std::uint8_t> encode_forwarded_load(const ForwardedLoad& f) {
  const sandbox::BpfCall& c = f.call;
  const sandbox::ProgLoadRead* l = c.load ? &*c.load : nullptr;
  std::uint8_t present = 0;
  if (c.caller.pid) present |= kPid;
  if (c.caller.uid) present |= kUid;
  if (c.caller.command) present |= kCommand;
  if (c.caller.exe) present |= kExe;
  if (c.caller.cgroup) present |= kCgroup;
  if (l) present |= kLoad;
  if (c.read_error) present |= kReadError;
  if (l && l->insns_error) present |= kInsnsError;
  std::vector<std::uint8_t> out;
  put<std::uint32_t>(out, c.arch);
  put<std::uint32_t>(out, c.cmd);
  put<std::uint32_t>(out, c.attr_size);
  out.push_back(c.still_valid ? 1 : 0);
  out.push_back(present);
  put<std::uint16_t>(out, static_cast<std::uint16_t>(f.map_fds.size()));
  put<std::int64_t>(out, c.caller.tid);
  put<std::int64_t>(out, c.caller.pid.value_or(0));
  put<std::uint32_t>(out, c.caller.uid.value_or(0));
  put<std::uint32_t>(out, l ? l->prog_type : 0);
  put<std::uint32_t>(out, l ? l->insn_cnt : 0);
  put<std::uint32_t>(out, l && !f.insns_memfd ? static_cast<std::uint32_t>(l->insns.size()) : 0);
  put<std::uint64_t>(out, l ? l->insns_addr : 0);
  put_text(out, std::string(c.attr.begin(), c.attr.end()));
  put_text(out, l ? l->name : std::string());
  put_text(out, c.caller.command.value_or(""));
  put_text(out, c.caller.exe.value_or(""));
  put_text(out, c.caller.cgroup.value_or(""));
  put_text(out, c.read_error.value_or(""));
  put_text(out, l ? l->insns_error.value_or("") : std::string());
  if (l && !f.insns_memfd) out.insert(out.end(), l->insns.begin(), l->insns.end());
  for (std::int32_t fd : f.map_fds) put<std::int32_t>(out, fd);
  return out;
}

}  // namespace pqbpf::daemon
