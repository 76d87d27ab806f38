// Direct packet writes (see packet_writes.h; the abstract values are in
// packet_pointer_state.h).
//
// Algorithm: the program's function and each reached .text function are laid
// end to end as "segments" of one flat instruction array. Leaders (segment
// starts, jump targets, the instruction after a conditional jump, call and
// callback targets) hold an abstract state: per register and per 8-byte slot
// of the function's own stack, a set of kinds {ctx, moved ctx, packet,
// own-stack pointer at a known offset, other stack pointer}; the empty set is
// "other" (a scalar, a map value...). A worklist interprets each block from
// its leader's state and joins the result into its successors (set union),
// so a value that may be a packet pointer on any path stays one. Calls are
// context-insensitive: a callee's entry joins r1-r5 of every call site and
// its exits' r0 flows back to every call site; r6-r9 and the caller's stack
// survive the call. Stores through stack pointers whose frame or offset is
// not known are kept in two object-wide summaries that every stack load also
// reads. A change to any summary re-runs every block; the sets only grow, so
// the walk ends, and kMaxPacketWriteSteps bounds it anyway.
#include "packet_writes.h"

#include <elf.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <unordered_map>

#include "bpf_insn.h"
#include "packet_pointer_state.h"

namespace pqbpf::bpf::internal {
namespace {

using namespace packet_state;  // NOLINT: the analysis is written in its terms
constexpr std::uint8_t kOpExit = 0x95;  // BPF_JMP | BPF_EXIT

int access_size(std::uint8_t code) {
  switch (code & 0x18) {
    case 0x00: return 4;
    case 0x08: return 2;
    case 0x10: return 1;
    default: return 8;
  }
}

struct Segment {
  const ElfSection* section = nullptr;
  std::uint64_t byte_offset = 0;  // of the function in its section
  std::uint64_t count = 0;        // instructions
  std::uint64_t flat = 0;         // index of its first instruction in the flat array
};

class Analysis {
 public:
  Analysis(const ElfImage& image, const std::vector<PacketPointerField>& fields, std::uint64_t& budget)
      : image_(image), fields_(fields), budget_(budget), text_(image.find_code_section(".text")) {}

  PacketWriteAnswer run(const ElfSection& own, std::uint64_t offset, std::uint64_t size,
                        const std::vector<TextRange>& reached) {
    add_segment(&own, offset, size);
    for (const TextRange& r : reached) {
      if (text_ != nullptr) add_segment(text_, r.offset, r.size);
    }
    returns_.assign(segments_.size(), Value{});
    if (why_.empty() && segments_[0].count == 0) fail("its function has no instructions");
    if (!why_.empty() || !find_leaders()) return answer();
    Value ctx{kCtx, 0};
    enter(segments_[0].flat, entry_state({ctx, {}, {}, {}, {}}));
    while (!queue_.empty() && !writes_ && why_.empty()) {
      const std::uint64_t leader = queue_.front();
      queue_.pop_front();
      queued_[leader_index_.at(leader)] = false;
      run_block(leader);
      if (summaries_changed_) {
        summaries_changed_ = false;
        for (const auto& [flat, idx] : leader_index_) {
          if (reached_[idx]) push(flat);
        }
      }
    }
    return answer();
  }

 private:
  PacketWriteAnswer answer() const { return {writes_ || !why_.empty(), why_}; }

  void add_segment(const ElfSection* section, std::uint64_t offset, std::uint64_t size) {
    std::uint64_t end = 0;
    if (__builtin_add_overflow(offset, size, &end) || end > section->bytes.size()) {
      fail("the code of " + section->name + " at byte " + std::to_string(offset) + " is outside the section");
      return;
    }
    if (section == text_) {
      const std::pair<std::uint64_t, std::size_t> entry{offset / kInsnSize, segments_.size()};
      text_segments_.insert(std::upper_bound(text_segments_.begin(), text_segments_.end(), entry), entry);
    }
    segments_.push_back({section, offset, size / kInsnSize, flat_size_});
    flat_size_ += size / kInsnSize;
  }

  void fail(std::string why) {
    if (why_.empty()) why_ = std::move(why);
  }

  std::size_t segment_of(std::uint64_t flat) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), flat,
                               [](std::uint64_t v, const Segment& s) { return v < s.flat; });
    return static_cast<std::size_t>(it - segments_.begin()) - 1;
  }

  Insn insn_at(std::uint64_t flat) const {
    const Segment& s = segments_[segment_of(flat)];
    return decode_insn(image_, s.section->bytes, s.byte_offset + (flat - s.flat) * kInsnSize);
  }

  std::string where(std::uint64_t flat) const {
    const Segment& s = segments_[segment_of(flat)];
    return "instruction " + std::to_string(s.byte_offset / kInsnSize + (flat - s.flat)) + " of " + s.section->name;
  }

  // The flat index of .text instruction `text_insn`, if it was loaded.
  std::optional<std::uint64_t> flat_of_text(std::uint64_t text_insn) const {
    auto it = std::upper_bound(text_segments_.begin(), text_segments_.end(), text_insn,
                               [](std::uint64_t v, const std::pair<std::uint64_t, std::size_t>& t) {
                                 return v < t.first;
                               });
    if (it == text_segments_.begin()) return std::nullopt;
    const Segment& s = segments_[std::prev(it)->second];
    const std::uint64_t first = s.byte_offset / kInsnSize;
    if (text_insn - first >= s.count) return std::nullopt;
    return s.flat + (text_insn - first);
  }

  // The subprogram entry an instruction calls or takes the address of.
  SubprogTarget target_of(std::uint64_t flat, const Insn& insn) {
    const Segment& s = segments_[segment_of(flat)];
    const std::uint64_t at = s.byte_offset + (flat - s.flat) * kInsnSize;
    auto [it, fresh] = relocs_.try_emplace(s.section->index);
    if (fresh) it->second = relocations_by_offset(*s.section);
    const auto r = it->second.find(at);
    const ElfSymbol* sym = r != it->second.end() ? &image_.symbols[r->second] : nullptr;
    return resolve_subprog_target(image_, text_, *s.section, at, insn, sym);
  }

  std::optional<std::uint64_t> entry_of(std::uint64_t flat, const SubprogTarget& t) {
    if (!t.failure.empty()) {
      fail(t.failure);
      return std::nullopt;
    }
    auto entry = flat_of_text(*t.text_insn);
    if (!entry) fail(where(flat) + " enters .text instruction " + std::to_string(*t.text_insn) +
                     ", outside the code loaded with the program");
    return entry;
  }

  // Pass 1: the block leaders. Fails on opcodes no kernel accepts.
  bool find_leaders() {
    for (const Segment& s : segments_) {
      if (s.count > 0) mark_leader(s.flat);
    }
    for (std::uint64_t i = 0; i < flat_size_ && why_.empty(); ++i) {
      const Insn insn = insn_at(i);
      const std::uint8_t cls = insn.code & 0x07;
      const std::uint8_t op = insn.code & 0xf0;
      if (insn.code == kOpLdImm64) {
        const SubprogTarget t = target_of(i, insn);
        if (t.text_insn || !t.failure.empty()) {
          if (auto e = entry_of(i, t)) mark_leader(*e);
        }
        ++i;  // the second half of the 16-byte load
        continue;
      }
      if (cls != 0x05 && cls != 0x06) continue;
      if (cls == 0x05 && insn.code == kOpCall) {
        const SubprogTarget t = target_of(i, insn);
        if (t.text_insn || !t.failure.empty()) {
          if (auto e = entry_of(i, t)) mark_leader(*e);
        }
        continue;
      }
      if (op == 0x80 || op == 0x90) continue;  // call/exit: checked when run
      const std::int64_t delta = (cls == 0x06 && op == 0x00) ? insn.imm : insn.off;
      const std::int64_t target = static_cast<std::int64_t>(i) + delta + 1;
      const Segment& s = segments_[segment_of(i)];
      if (target < static_cast<std::int64_t>(s.flat) || target >= static_cast<std::int64_t>(s.flat + s.count)) {
        fail(where(i) + " jumps outside its function");
        break;
      }
      mark_leader(static_cast<std::uint64_t>(target));
      if (i + 1 < s.flat + s.count) mark_leader(i + 1);
    }
    states_.resize(leader_index_.size());
    reached_.assign(leader_index_.size(), false);
    queued_.assign(leader_index_.size(), false);
    return why_.empty();
  }

  void mark_leader(std::uint64_t flat) { leader_index_.try_emplace(flat, leader_index_.size()); }

  void push(std::uint64_t leader) {
    const std::size_t idx = leader_index_.at(leader);
    if (queued_[idx]) return;
    queued_[idx] = true;
    queue_.push_back(leader);
  }

  // Joins `s` into a block's entry. Code reached only through a jump into
  // the second half of a 64-bit load can aim anywhere: not a leader = fail.
  void enter(std::uint64_t leader, const State& s) {
    const auto found = leader_index_.find(leader);
    if (found == leader_index_.end()) {
      fail("a jump or call reaches flat instruction " + std::to_string(leader) +
           ", which the first pass did not see as a block start");
      return;
    }
    const std::size_t idx = found->second;
    const bool fresh = !reached_[idx];
    reached_[idx] = true;
    if (join_state(states_[idx], s) || fresh) push(leader);
  }

  void note_summary(Value& summary, const Value& v) {
    if (join_into(summary, foreign(v))) summaries_changed_ = true;
  }

  bool overlaps_packet_field(std::int64_t off, int size) const {
    for (const auto& f : fields_) {
      if (off < f.offset + f.size && f.offset < off + size) return true;
    }
    return false;
  }

  Value load(const State& st, const Value& base, std::int64_t off, int size) const {
    Value out;
    if ((base.kinds & kCtx) && overlaps_packet_field(off, size)) out.kinds |= kPacket;
    if (base.kinds & kCtxMoved) out.kinds |= kPacket;  // which field: unknown
    if (base.kinds & kOwnStack) {
      const std::int64_t addr = base.stack_off + off;
      if (size == 8 && addr % 8 == 0 && addr >= -kStackSize && addr < 0) {
        out = joined(out, st.slots[(addr + kStackSize) / 8]);
        out = joined(out, foreign_stores_);
      }
    }
    if (base.kinds & kOtherStack) out = joined(out, any_stack_);
    return out;
  }

  void store(State& st, const Value& base, std::int64_t off, int size, const Value& v) {
    if (base.kinds & kPacket) writes_ = true;
    if (base.kinds & kOwnStack) {
      const bool exact = base.kinds == kOwnStack;
      const std::int64_t addr = base.stack_off + off;
      if (addr >= -kStackSize && addr + size <= 0) {
        if (size == 8 && addr % 8 == 0) {
          Value& slot = st.slots[(addr + kStackSize) / 8];
          slot = exact ? v : joined(slot, v);
        } else if (exact) {
          // Part of a slot: whatever pointer was spilled there is gone.
          for (std::int64_t b = addr; b < addr + size; b += 8) st.slots[(b + kStackSize) / 8] = Value{};
          st.slots[(addr + size - 1 + kStackSize) / 8] = Value{};
        }
      }
      note_summary(any_stack_, v);
    }
    if (base.kinds & kOtherStack) {
      note_summary(foreign_stores_, v);
      note_summary(any_stack_, v);
    }
  }

  void set_reg(State& st, int r, const Value& v, std::uint64_t flat) {
    if (r >= kFp) {
      fail(where(flat) + " writes register r" + std::to_string(r));
      return;
    }
    st.regs[r] = v;
  }

  static void clobber_args(State& st) {
    for (int r = 1; r <= 5; ++r) st.regs[r] = Value{};
  }

  // Interprets one block from its leader; false ends the block.
  void run_block(std::uint64_t leader) {
    State st = states_[leader_index_.at(leader)];
    std::uint64_t i = leader;
    const std::size_t seg = segment_of(i);
    const std::uint64_t end = segments_[seg].flat + segments_[seg].count;
    while (why_.empty() && !writes_) {
      if (budget_ == 0) {
        fail("the analysis passed " + std::to_string(kMaxPacketWriteSteps) + " steps");
        return;
      }
      --budget_;
      std::uint64_t next = i + 1;
      if (!step(st, i, seg, next)) return;
      if (next >= end) {
        fail(where(i) + " runs past the end of its function");
        return;
      }
      if (leader_index_.count(next) != 0) {
        enter(next, st);
        return;
      }
      i = next;
    }
  }

  // One instruction. Returns false when control does not fall through to
  // `next` (exit, or a jump whose successors were entered).
  bool step(State& st, std::uint64_t i, std::size_t seg, std::uint64_t& next) {
    const Insn insn = insn_at(i);
    const std::uint8_t cls = insn.code & 0x07;
    const std::uint8_t op = insn.code & 0xf0;
    const std::uint8_t mode = insn.code & 0xe0;
    const bool x = (insn.code & 0x08) != 0;
    if (insn.dst >= kRegs || insn.src >= kRegs) {
      fail(where(i) + " names a register above r10");
      return false;
    }
    const Value dst = st.regs[insn.dst];
    const Value src = st.regs[insn.src];
    switch (cls) {
      case 0x00:  // BPF_LD
        if (insn.code == kOpLdImm64) {
          const SubprogTarget t = target_of(i, insn);
          if (t.text_insn || !t.failure.empty()) {
            // A callback: the helper calling it passes scalars, maps and
            // pointers to the caller's stack, never a packet pointer.
            const Value some_stack{kOtherStack, 0};
            const auto entry = entry_of(i, t);
            if (!entry) return false;
            enter(*entry, entry_state({some_stack, some_stack, some_stack, some_stack, some_stack}));
          }
          set_reg(st, insn.dst, Value{}, i);
          next = i + 2;
          return true;
        }
        if (mode == 0x20 || mode == 0x40) {  // legacy LD_ABS/LD_IND: a call in disguise
          clobber_args(st);
          st.regs[0] = Value{};
          return true;
        }
        break;
      case 0x01:  // BPF_LDX
        if (mode == 0x60 || mode == 0x80) {
          set_reg(st, insn.dst, load(st, src, insn.off, access_size(insn.code)), i);
          return true;
        }
        break;
      case 0x02:  // BPF_ST
        if (mode == 0x60) {
          store(st, dst, insn.off, access_size(insn.code), Value{});
          return true;
        }
        break;
      case 0x03:  // BPF_STX
        if (mode == 0x60) {
          store(st, dst, insn.off, access_size(insn.code), src);
          return true;
        }
        if (mode == 0xc0) return atomic(st, i, insn, dst, src);
        break;
      case 0x04:  // BPF_ALU: 32-bit results are never pointers
        if (op <= 0xd0) {
          set_reg(st, insn.dst, Value{}, i);
          return true;
        }
        break;
      case 0x07:  // BPF_ALU64
        if (op <= 0xd0) {
          set_reg(st, insn.dst, alu64(insn, dst, src, x), i);
          return true;
        }
        break;
      case 0x05:
      case 0x06:
        return jump(st, i, seg, insn, cls, op, next);
    }
    fail(where(i) + " has opcode 0x" + hex(insn.code) + ", which the analysis does not know");
    return false;
  }

  static std::string hex(std::uint8_t v) {
    const char* digits = "0123456789abcdef";
    return {digits[v >> 4], digits[v & 15]};
  }

  static Value alu64(const Insn& insn, const Value& dst, const Value& src, bool x) {
    const std::uint8_t op = insn.code & 0xf0;
    if (op == 0xb0) {  // mov; movsx (off != 0) sign-extends a narrow value: never a pointer
      return x && insn.off == 0 ? src : Value{};
    }
    if ((op == 0x00 || op == 0x10) && !x) {  // add/sub a constant
      if (insn.imm == 0) return dst;
      Value out = dst;
      if (out.kinds & kCtx) out.kinds = static_cast<std::uint8_t>((out.kinds & ~kCtx) | kCtxMoved);
      if (out.kinds & kOwnStack) {
        const std::int64_t off = std::int64_t{dst.stack_off} + (op == 0x00 ? insn.imm : -std::int64_t{insn.imm});
        if (off >= -kStackSize && off <= kStackSize) {
          out.stack_off = static_cast<std::int16_t>(off);
        } else {
          out.kinds = static_cast<std::uint8_t>((out.kinds & ~kOwnStack) | kOtherStack);
        }
      }
      return out;
    }
    // add/sub of a register keeps either side's pointer; other operations
    // on pointers are refused by the kernel, kept here all the same.
    return moved(op == 0x10 ? dst : joined(dst, x ? src : Value{}));
  }

  bool atomic(State& st, std::uint64_t i, const Insn& insn, const Value& dst, const Value& src) {
    const int size = access_size(insn.code);
    constexpr std::int32_t kLoadAcquire = 0x100;
    constexpr std::int32_t kCmpXchg = 0xf1;
    constexpr std::int32_t kFetch = 0x01;
    if (insn.imm == kLoadAcquire) {
      set_reg(st, insn.dst, load(st, src, insn.off, size), i);
      return true;
    }
    const Value old = load(st, dst, insn.off, size);
    store(st, dst, insn.off, size, src);
    if (insn.imm == kCmpXchg) {
      st.regs[0] = old;
    } else if ((insn.imm & kFetch) != 0) {
      set_reg(st, insn.src, old, i);
    }
    return true;
  }

  bool jump(State& st, std::uint64_t i, std::size_t seg, const Insn& insn, std::uint8_t cls, std::uint8_t op,
            std::uint64_t& next) {
    if (insn.code == kOpCall) return call(st, i, insn);
    if (insn.code == kOpExit) {  // r0 goes back to every caller
      note_summary(returns_[seg], st.regs[0]);
      return false;
    }
    if (op == 0x80 || op == 0x90 || op == 0xf0) {
      fail(where(i) + " has opcode 0x" + hex(insn.code) + ", which the analysis does not know");
      return false;
    }
    const std::int64_t delta = (cls == 0x06 && op == 0x00) ? insn.imm : insn.off;
    const auto target = static_cast<std::uint64_t>(static_cast<std::int64_t>(i) + delta + 1);
    enter(target, st);  // find_leaders checked it is inside the function
    if (op == 0x00) return false;  // ja: no fall-through
    next = i + 1;
    return true;  // the fall-through is a leader: run_block enters it
  }

  bool call(State& st, std::uint64_t i, const Insn& insn) {
    const SubprogTarget t = target_of(i, insn);
    if (!t.failure.empty() || (t.text_insn && !t.callback)) {
      const auto found = entry_of(i, t);
      if (!found) return false;
      const std::uint64_t entry = *found;
      enter(entry, entry_state({foreign(st.regs[1]), foreign(st.regs[2]), foreign(st.regs[3]),
                                foreign(st.regs[4]), foreign(st.regs[5])}));
      clobber_args(st);
      st.regs[0] = returns_[segment_of(entry)];
      return true;
    }
    // A helper returns no packet pointer; a kfunc may (bpf_dynptr_slice_rdwr
    // returns a pointer into the packet), so its result counts as one.
    const bool kfunc = insn.src == kPseudoKfuncCall || target_is_extern(i);
    clobber_args(st);
    st.regs[0] = kfunc ? Value{kPacket, 0} : Value{};
    return true;
  }

  bool target_is_extern(std::uint64_t flat) {
    const Segment& s = segments_[segment_of(flat)];
    const std::uint64_t at = s.byte_offset + (flat - s.flat) * kInsnSize;
    const auto& relocs = relocs_[s.section->index];
    const auto r = relocs.find(at);
    return r != relocs.end() && image_.symbols[r->second].shndx == SHN_UNDEF;
  }

  const ElfImage& image_;
  const std::vector<PacketPointerField>& fields_;
  std::uint64_t& budget_;
  const ElfSection* text_ = nullptr;
  std::vector<Segment> segments_;
  std::vector<std::pair<std::uint64_t, std::size_t>> text_segments_;  // (first .text insn, segment), sorted
  std::uint64_t flat_size_ = 0;
  std::unordered_map<std::uint64_t, std::size_t> leader_index_;  // flat index -> state
  std::vector<State> states_;
  std::vector<bool> reached_;
  std::vector<bool> queued_;
  std::deque<std::uint64_t> queue_;
  std::vector<Value> returns_;   // per segment: r0 at its exits
  Value any_stack_;              // everything ever stored on any stack
  Value foreign_stores_;         // stored through a stack pointer of unknown frame/offset
  bool summaries_changed_ = false;
  bool writes_ = false;
  std::string why_;
  std::unordered_map<std::size_t, std::unordered_map<std::uint64_t, std::uint32_t>> relocs_;
};

}  // namespace

std::optional<std::vector<PacketPointerField>> writable_packet_fields(BPFProgramType type) {
  using T = BPFProgramType;
  switch (type) {
    case T::kXdp:  // struct xdp_md: data, data_meta
      return std::vector<PacketPointerField>{{0, 4}, {8, 4}};
    case T::kSchedCls:  // struct __sk_buff: data, data_meta
    case T::kSchedAct:
    case T::kLwtXmit:
    case T::kSkSkb:
      return std::vector<PacketPointerField>{{76, 4}, {140, 4}};
    case T::kSkMsg:  // struct sk_msg_md: data
      return std::vector<PacketPointerField>{{0, 8}};
    case T::kCgroupSockopt:  // struct bpf_sockopt: optval (the option's bytes)
      return std::vector<PacketPointerField>{{8, 8}};
    default:
      return std::nullopt;
  }
}

PacketWriteAnswer find_packet_writes(const ElfImage& image, const ElfSection& own, std::uint64_t offset,
                                     std::uint64_t size, const std::vector<TextRange>& reached,
                                     const std::vector<PacketPointerField>& fields, std::uint64_t& budget) {
  Analysis analysis(image, fields, budget);
  return analysis.run(own, offset, size, reached);
}

void mark_packet_writes(const ElfImage& image, const std::vector<std::vector<TextRange>>& reached,
                        std::vector<ProgramInfo>& programs, std::vector<std::string>& unknown) {
  std::uint64_t budget = kMaxPacketWriteSteps;
  for (std::size_t i = 0; i < programs.size(); ++i) {
    ProgramInfo& p = programs[i];
    p.writes_packet_directly = false;
    if (!p.type) continue;
    const auto fields = writable_packet_fields(kernel_program_type(*p.type));
    if (!fields) continue;
    PacketWriteAnswer answer;
    const ElfSection* own = image.find_code_section(p.section);
    if (!p.reachable_insns || i >= reached.size()) {
      // Its code is not known: assume a write. `unknown` already says why
      // (the "instructions reachable from program" line).
      p.writes_packet_directly = true;
      continue;
    }
    if (own == nullptr) {
      answer = {true, "its section is not code"};
    } else {
      answer = find_packet_writes(image, *own, p.section_offset, p.size, reached[i], *fields, budget);
    }
    p.writes_packet_directly = answer.writes;
    if (!answer.why_unsure.empty()) {
      unknown.push_back("direct packet writes of program '" + p.name + "' (" + answer.why_unsure +
                        "; assumed to write)");
    }
  }
}

}  // namespace pqbpf::bpf::internal
