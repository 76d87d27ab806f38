// Reachable instruction counts (see reachable_insns.h).
//
// Algorithm: the .text functions (STT_FUNC symbols with a size) are the
// subprograms, as for libbpf. Each function's direct targets are found once
// by scanning its instructions (memoised); each program then walks the graph
// from its own instructions, marking functions with the program's generation
// number, so every subprogram is counted once per program. A target resolves
// exactly as in libbpf 1.1's bpf_object__reloc_code:
//   call with a relocation      -> .text insn  sym.st_value / 8 + imm + 1
//   ld_imm64 with a relocation  -> .text insn  (sym.st_value + imm) / 8
//   call without a relocation   -> .text insn  (offset in its own section) / 8 + imm + 1
// and the subprogram is the .text function containing that instruction. A
// call relocated against an undefined symbol is a kfunc, not a subprogram.
#include "reachable_insns.h"

#include <elf.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace pqbpf::bpf::internal {
namespace {

// libbpf's sym_is_subprog: the .text section symbol (static functions)
// or a global .text function.
bool is_subprog_symbol(const ElfSection* text, const ElfSymbol& sym) {
  return text != nullptr && sym.shndx == text->index &&
         ((sym.bind == STB_LOCAL && sym.type == STT_SECTION) ||
          (sym.bind == STB_GLOBAL && sym.type == STT_FUNC));
}

struct Func {
  std::uint64_t start = 0;  // instruction index in .text
  std::uint64_t count = 0;  // instructions
};

// Direct targets of one stretch of code: .text function indexes, or why not.
struct Targets {
  std::vector<std::size_t> funcs;
  std::string failure;  // "" when every target resolved
};

class CallGraph {
 public:
  explicit CallGraph(const ElfImage& image) : image_(image) {
    text_ = image.find_code_section(".text");
    if (text_ == nullptr) return;
    for (const auto& sym : image.symbols) {
      if (sym.type != STT_FUNC || sym.shndx != text_->index || sym.size == 0) continue;
      funcs_.push_back(Func{sym.value / kInsnSize, sym.size / kInsnSize});
    }
    std::stable_sort(funcs_.begin(), funcs_.end(),
                     [](const Func& a, const Func& b) { return a.start < b.start; });
    memo_.resize(funcs_.size());
    stamp_.assign(funcs_.size(), 0);
  }

  // Instructions loaded for code [offset, offset + size) of `section`, or
  // nullopt with `why`. `budget` is the object's remaining step allowance.
  std::optional<std::uint64_t> count(const ElfSection& section, std::uint64_t offset,
                                     std::uint64_t size, std::uint64_t& budget, std::string& why,
                                     std::vector<TextRange>* reached = nullptr) {
    ++generation_;
    std::uint64_t total = size / kInsnSize;
    if (&section == text_) {
      // A program in .text is its own function: never count it twice.
      if (auto f = function_at(offset / kInsnSize); f && funcs_[*f].start == offset / kInsnSize) {
        stamp_[*f] = generation_;
      }
    }
    Targets first = scan(section, offset, size);
    if (!first.failure.empty()) {
      why = first.failure;
      return std::nullopt;
    }
    std::vector<std::size_t> pending = std::move(first.funcs);
    while (!pending.empty()) {
      const std::size_t f = pending.back();
      pending.pop_back();
      if (budget == 0) {
        why = "the call graph walk passed " + std::to_string(kMaxCallGraphSteps) + " steps";
        return std::nullopt;
      }
      --budget;
      if (stamp_[f] == generation_) continue;
      stamp_[f] = generation_;
      total += funcs_[f].count;
      if (reached != nullptr) reached->push_back({funcs_[f].start * kInsnSize, funcs_[f].count * kInsnSize});
      const Targets& next = targets_of(f);
      if (!next.failure.empty()) {
        why = next.failure;
        return std::nullopt;
      }
      pending.insert(pending.end(), next.funcs.begin(), next.funcs.end());
    }
    return total;
  }

 private:
  // The .text function containing instruction `idx` (libbpf's
  // find_prog_by_sec_insn: the last one starting at or before it).
  std::optional<std::size_t> function_at(std::uint64_t idx) const {
    auto it = std::upper_bound(funcs_.begin(), funcs_.end(), idx,
                               [](std::uint64_t v, const Func& f) { return v < f.start; });
    if (it == funcs_.begin()) return std::nullopt;
    --it;
    if (idx - it->start >= it->count) return std::nullopt;
    return static_cast<std::size_t>(it - funcs_.begin());
  }

  const Targets& targets_of(std::size_t f) {
    if (!memo_[f]) {
      memo_[f] = scan(*text_, funcs_[f].start * kInsnSize, funcs_[f].count * kInsnSize);
    }
    return *memo_[f];
  }

  const std::unordered_map<std::uint64_t, std::uint32_t>& relocations(const ElfSection& section) {
    auto [it, fresh] = relocs_.try_emplace(section.index);
    if (fresh) it->second = relocations_by_offset(section);
    return it->second;
  }

  Targets scan(const ElfSection& section, std::uint64_t offset, std::uint64_t size) {
    Targets out;
    const auto& relocs = relocations(section);
    for (std::uint64_t at = offset; at + kInsnSize <= offset + size; at += kInsnSize) {
      const Insn insn = decode_insn(image_, section.bytes, at);
      if (insn.code != kOpCall && insn.code != kOpLdImm64) continue;
      const auto r = relocs.find(at);
      const ElfSymbol* sym = r != relocs.end() ? &image_.symbols[r->second] : nullptr;
      const SubprogTarget target = resolve_subprog_target(image_, text_, section, at, insn, sym);
      if (!target.failure.empty()) {
        out.failure = target.failure;
        return out;
      }
      if (!target.text_insn) continue;
      const auto f = function_at(*target.text_insn);
      if (!f) {
        out.failure = "instruction " + std::to_string(at / kInsnSize) + " of " + section.name +
                      " calls .text instruction " + std::to_string(*target.text_insn) +
                      ", which is in no .text function";
        return out;
      }
      out.funcs.push_back(*f);
    }
    return out;
  }

  const ElfImage& image_;
  const ElfSection* text_ = nullptr;
  std::vector<Func> funcs_;
  std::vector<std::optional<Targets>> memo_;
  std::vector<std::uint64_t> stamp_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::size_t, std::unordered_map<std::uint64_t, std::uint32_t>> relocs_;
};

}  // namespace

SubprogTarget resolve_subprog_target(const ElfImage& /*image*/, const ElfSection* text,
                                     const ElfSection& section, std::uint64_t at, const Insn& insn,
                                     const ElfSymbol* reloc) {
  SubprogTarget out;
  if (insn.code != kOpCall && insn.code != kOpLdImm64) return out;
  const bool call = is_subprog_call(insn);
  auto where = [&] { return "instruction " + std::to_string(at / kInsnSize) + " of " + section.name; };
  std::int64_t idx = 0;
  if (reloc != nullptr) {
    if (reloc->shndx == SHN_UNDEF) return out;  // an extern: a kfunc or a kernel variable
    if (call) {
      if (text == nullptr || reloc->shndx != text->index || reloc->value % kInsnSize != 0) {
        out.failure = where() + " calls '" + reloc->name + "', which is not in .text";
        return out;
      }
      idx = static_cast<std::int64_t>(reloc->value / kInsnSize) + insn.imm + 1;
    } else if (insn.code == kOpLdImm64 && is_subprog_symbol(text, *reloc)) {
      // The address of a subprogram (a callback): libbpf marks it
      // BPF_PSEUDO_FUNC and appends the function like a call.
      if (reloc->value % kInsnSize != 0 || insn.imm % static_cast<std::int32_t>(kInsnSize) != 0) {
        out.failure = where() + " takes a misaligned subprogram address";
        return out;
      }
      idx = (static_cast<std::int64_t>(reloc->value) + insn.imm) / static_cast<std::int64_t>(kInsnSize);
    } else {
      return out;  // a map or data reference
    }
  } else if (call) {
    // A static function in the same section: no relocation, imm is
    // relative (libbpf then looks in .text whatever the section).
    idx = static_cast<std::int64_t>(at / kInsnSize) + insn.imm + 1;
  } else if (is_pseudo_func(insn)) {
    out.failure = where() + " references a callback without a relocation";
    return out;
  } else {
    return out;
  }
  if (idx < 0 || text == nullptr) {
    out.failure = where() + " calls .text instruction " + std::to_string(idx) + ", which is in no .text function";
    return out;
  }
  out.text_insn = static_cast<std::uint64_t>(idx);
  out.callback = !call;
  return out;
}

void count_reachable_insns(const ElfImage& image, std::vector<ProgramInfo>& programs,
                           std::vector<std::string>& unknown,
                           std::vector<std::vector<TextRange>>* reached) {
  CallGraph graph(image);
  std::uint64_t budget = kMaxCallGraphSteps;
  if (reached != nullptr) reached->assign(programs.size(), {});
  for (std::size_t i = 0; i < programs.size(); ++i) {
    auto& p = programs[i];
    std::vector<TextRange>* mine = reached != nullptr ? &(*reached)[i] : nullptr;
    p.reachable_insns.reset();
    const ElfSection* section = image.find_code_section(p.section);
    std::string why = "its section is not code";
    if (section != nullptr) p.reachable_insns = graph.count(*section, p.section_offset, p.size, budget, why, mine);
    if (!p.reachable_insns && mine != nullptr) mine->clear();
    if (!p.reachable_insns) {
      unknown.push_back("instructions reachable from program '" + p.name + "' (" + why + ")");
    }
  }
}

}  // namespace pqbpf::bpf::internal
