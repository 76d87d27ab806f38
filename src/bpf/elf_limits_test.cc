// Edge tests for the ELF input limits (docs/LIMITS.md): kMaxSections,
// kMaxSymbols and kMaxBtfChain. Each object is built in memory so the count
// under test is exact: one at the limit is accepted, one past it is refused
// with its one-line error.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "btf_check.h"
#include "elf_builder_test_util.h"
#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf::internal {
namespace {

using namespace pqbpf::bpf::testing;  // NOLINT: the builder and its ELF constants

using Numbering = ElfBuilder::Numbering;

// An object of exactly `total` section headers, the null section included
// (elf_getshdrnum counts it, and so does kMaxSections).
Bytes object_with_sections(std::size_t total, Numbering numbering) {
  ElfBuilder b;
  b.add_empty(total - b.count());
  return b.build(numbering);
}

// An object whose .symtab has `count` entries, the null symbol included. All
// are zero: local STT_NOTYPE, name offset 0 (the empty string), SHN_UNDEF.
Bytes object_with_symbols(std::size_t count) {
  ElfBuilder b;
  const std::size_t strtab = b.add({.name = ".strtab", .type = kShtStrtab, .data = Bytes(1, 0)});
  b.add({.name = ".symtab",
         .type = kShtSymtab,
         .data = Bytes(count * kSymSize, 0),
         .link = static_cast<std::uint32_t>(strtab),
         .info = static_cast<std::uint32_t>(count),  // all symbols are local
         .align = 8,
         .entsize = kSymSize});
  return b.build(Numbering::kDirect);
}

// A loadable-looking object: one "xdp" program (a single exit instruction),
// a GPL license, its function symbol, and `btf` as the .BTF section.
Bytes program_object(const Bytes& btf) {
  ElfBuilder b;
  const std::size_t xdp = b.add({.name = "xdp",
                                 .flags = kShfAlloc | kShfExecinstr,
                                 .data = Bytes{0x95, 0, 0, 0, 0, 0, 0, 0},
                                 .align = 8});
  b.add({.name = "license", .flags = kShfAlloc | kShfWrite, .data = Bytes{'G', 'P', 'L', 0}});
  const std::string strs("\0prog\0", 6);
  const std::size_t strtab =
      b.add({.name = ".strtab", .type = kShtStrtab, .data = Bytes(strs.begin(), strs.end())});
  Bytes syms(2 * kSymSize, 0);
  put_le(syms, kSymSize + 0, 1, 4);               // st_name "prog"
  put_le(syms, kSymSize + 4, (1 << 4) | 2, 1);    // STB_GLOBAL, STT_FUNC
  put_le(syms, kSymSize + 6, xdp, 2);             // st_shndx
  put_le(syms, kSymSize + 16, 8, 8);              // st_size: one instruction
  b.add({.name = ".symtab",
         .type = kShtSymtab,
         .data = std::move(syms),
         .link = static_cast<std::uint32_t>(strtab),
         .info = 1,
         .align = 8,
         .entsize = kSymSize});
  b.add({.name = ".BTF", .data = btf, .align = 4});
  return b.build(Numbering::kDirect);
}

// Raw .BTF section bytes in host byte order (what check_btf expects).
class BtfBuilder {
 public:
  static constexpr std::uint32_t kInt = 1, kPtr = 2, kArray = 3, kTypedef = 8, kVolatile = 9,
                                 kConst = 10, kRestrict = 11;

  // Returns the new type's id (ids start at 1; 0 is void).
  std::uint32_t add_int() {
    words_.insert(words_.end(), {name("int"), kInt << 24, 4, 32 /*bits*/});
    return ++count_;
  }
  std::uint32_t add_ref(std::uint32_t kind, std::uint32_t to) {
    words_.insert(words_.end(), {kind == kTypedef ? name("t") : 0, kind << 24, to});
    return ++count_;
  }
  std::uint32_t add_array(std::uint32_t elem, std::uint32_t index) {
    words_.insert(words_.end(), {0, kArray << 24, 0, elem, index, 1 /*nelems*/});
    return ++count_;
  }
  // Points an existing reference type elsewhere (to make cycles).
  void retarget(std::uint32_t id, std::uint32_t to) { words_[offset_of(id) + 2] = to; }

  Bytes build() const {
    const std::uint32_t type_len = static_cast<std::uint32_t>(words_.size() * 4);
    const std::uint32_t hdr[6] = {0x0001eB9F /*magic, version 1, flags 0*/, 24, 0, type_len,
                                  type_len, static_cast<std::uint32_t>(strings_.size())};
    Bytes out(24 + type_len + strings_.size());
    std::memcpy(out.data(), hdr, sizeof hdr);
    std::memcpy(out.data() + 24, words_.data(), type_len);
    std::memcpy(out.data() + 24 + type_len, strings_.data(), strings_.size());
    return out;
  }

 private:
  std::uint32_t name(const std::string& s) {
    const auto at = strings_.find(s + '\0');
    if (at != std::string::npos && at > 0 && strings_[at - 1] == '\0') {
      return static_cast<std::uint32_t>(at);
    }
    strings_ += s + '\0';
    return static_cast<std::uint32_t>(strings_.size() - s.size() - 1);
  }
  std::size_t offset_of(std::uint32_t id) const {
    std::size_t off = 0;
    for (std::uint32_t i = 1; i < id; ++i) {
      const std::uint32_t kind = (words_[off + 1] >> 24) & 0x1f;
      off += kind == kInt ? 4 : kind == kArray ? 6 : 3;
    }
    return off;
  }

  std::vector<std::uint32_t> words_;
  std::string strings_ = std::string(1, '\0');
  std::uint32_t count_ = 0;
};

// An int followed by `typedefs` typedefs, each naming the one before: the
// walk from the last one visits typedefs + 1 types.
Bytes typedef_chain(int typedefs) {
  BtfBuilder b;
  std::uint32_t id = b.add_int();
  for (int i = 0; i < typedefs; ++i) id = b.add_ref(BtfBuilder::kTypedef, id);
  return b.build();
}

std::string chain_error(const std::string& label, std::uint32_t id) {
  return label + ": BTF type " + std::to_string(id) + ": reference chain loops or exceeds " +
         std::to_string(kMaxBtfChain);
}

std::string refusal(const Result<ElfImage>& r) { return r.ok() ? "(accepted)" : r.error().message; }
std::string refusal(const Status& s) { return s.ok() ? "(accepted)" : s.error().message; }

// --- sections -------------------------------------------------------------

TEST(ElfLimitsTest, SectionsAtLimitAccepted) {
  static_assert(kMaxSections == 65535);
  const Bytes obj = object_with_sections(kMaxSections, Numbering::kDirect);
  auto r = parse_elf_image(obj, "at.o");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sections.size(), kMaxSections);
  EXPECT_EQ(r->sections[1].name, ".shstrtab");
}

TEST(ElfLimitsTest, SectionsAtLimitWithExtendedNumberingAccepted) {
  const Bytes obj = object_with_sections(kMaxSections, Numbering::kExtended);
  auto r = parse_elf_image(obj, "at.o");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sections.size(), kMaxSections);
  EXPECT_EQ(r->sections[1].name, ".shstrtab");
}

TEST(ElfLimitsTest, SectionsPastLimitRefused) {
  const Bytes obj = object_with_sections(kMaxSections + 1, Numbering::kExtended);
  EXPECT_EQ(refusal(parse_elf_image(obj, "past.o")), "past.o: too many sections");
}

TEST(ElfLimitsTest, SectionsFarPastLimitRefusedBeforeReadingTheTable) {
  // Section 0 claims 2^40 sections in a tiny file: refused on the count, not
  // as a truncated table, and without allocating for them.
  Bytes obj = object_with_sections(4, Numbering::kExtended);
  std::uint64_t shoff = 0;
  std::memcpy(&shoff, obj.data() + 40, 8);
  put_le(obj, shoff + 32, std::uint64_t{1} << 40, 8);
  EXPECT_EQ(refusal(parse_elf_image(obj, "huge.o")), "huge.o: too many sections");
}

TEST(ElfLimitsTest, ExtendedNumberingSmallObjectMatchesDirect) {
  auto direct = parse_elf_image(object_with_sections(5, Numbering::kDirect), "d.o");
  auto extended = parse_elf_image(object_with_sections(5, Numbering::kExtended), "e.o");
  ASSERT_TRUE(direct.ok()) << direct.error().message;
  ASSERT_TRUE(extended.ok()) << extended.error().message;
  EXPECT_EQ(direct->sections.size(), 5u);
  EXPECT_EQ(extended->sections.size(), 5u);
}

TEST(ElfLimitsTest, ExtendedNumberingWithZeroCountHasNoSectionTable) {
  Bytes obj = object_with_sections(5, Numbering::kExtended);
  std::uint64_t shoff = 0;
  std::memcpy(&shoff, obj.data() + 40, 8);
  put_le(obj, shoff + 32, 0, 8);
  EXPECT_EQ(refusal(parse_elf_image(obj, "z.o")), "z.o: ELF object has no section header table");
}

TEST(ElfLimitsTest, ExtendedStringTableIndexOutOfRangeRefused) {
  Bytes obj = object_with_sections(5, Numbering::kExtended);
  std::uint64_t shoff = 0;
  std::memcpy(&shoff, obj.data() + 40, 8);
  put_le(obj, shoff + 40, 5, 4);  // sh_link: one past the last section
  EXPECT_EQ(refusal(parse_elf_image(obj, "s.o")),
            "s.o: section name string table index 5 is out of range");
}

TEST(ElfLimitsTest, InspectSectionsPastLimitIsOneLineNamingLabel) {
  const Bytes obj = object_with_sections(kMaxSections + 1, Numbering::kExtended);
  auto r = inspect_object(obj, "dir/many-sections.o");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().message, "dir/many-sections.o: too many sections");
}

// --- symbols --------------------------------------------------------------

TEST(ElfLimitsTest, SymbolsAtLimitAccepted) {
  static_assert(kMaxSymbols == (1u << 20));
  auto r = parse_elf_image(object_with_symbols(kMaxSymbols), "at.o");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->symbols.size(), kMaxSymbols);
}

TEST(ElfLimitsTest, SymbolsPastLimitRefused) {
  EXPECT_EQ(refusal(parse_elf_image(object_with_symbols(kMaxSymbols + 1), "past.o")),
            "past.o: too many symbols");
}

// --- BTF reference chains -------------------------------------------------

TEST(ElfLimitsTest, BtfChainAtLimitAccepted) {
  // The walk from the last typedef counts every type it visits, the int
  // included: kMaxBtfChain - 1 typedefs + 1 int = kMaxBtfChain steps.
  EXPECT_EQ(refusal(check_btf(typedef_chain(kMaxBtfChain - 1), "at.o")), "(accepted)");
}

TEST(ElfLimitsTest, BtfChainPastLimitRefused) {
  // Type ids: the int is 1, the typedefs 2 .. kMaxBtfChain + 1.
  EXPECT_EQ(refusal(check_btf(typedef_chain(kMaxBtfChain), "past.o")),
            chain_error("past.o", kMaxBtfChain + 1));
}

// Every non-pointer kind counts: const, volatile, restrict, typedef, array.
Bytes mixed_chain(int refs) {
  const std::uint32_t kinds[] = {BtfBuilder::kConst, BtfBuilder::kVolatile, BtfBuilder::kRestrict,
                                 BtfBuilder::kTypedef, BtfBuilder::kArray};
  BtfBuilder b;
  const std::uint32_t int_id = b.add_int();
  std::uint32_t id = int_id;
  for (int i = 0; i < refs; ++i) {
    const std::uint32_t kind = kinds[i % 5];
    id = kind == BtfBuilder::kArray ? b.add_array(id, int_id) : b.add_ref(kind, id);
  }
  return b.build();
}

TEST(ElfLimitsTest, BtfMixedChainAtAndPastLimit) {
  EXPECT_EQ(refusal(check_btf(mixed_chain(kMaxBtfChain - 1), "at.o")), "(accepted)");
  EXPECT_EQ(refusal(check_btf(mixed_chain(kMaxBtfChain), "past.o")),
            chain_error("past.o", kMaxBtfChain + 1));
}

TEST(ElfLimitsTest, BtfPointerEndsAChain) {
  // int <- 63 typedefs <- ptr <- 63 typedefs: 128 types deep, but the
  // pointer ends each walk, so no walk is longer than kMaxBtfChain.
  BtfBuilder b;
  std::uint32_t id = b.add_int();
  for (int i = 0; i < kMaxBtfChain - 1; ++i) id = b.add_ref(BtfBuilder::kTypedef, id);
  id = b.add_ref(BtfBuilder::kPtr, id);
  for (int i = 0; i < kMaxBtfChain - 1; ++i) id = b.add_ref(BtfBuilder::kTypedef, id);
  EXPECT_EQ(refusal(check_btf(b.build(), "ptr.o")), "(accepted)");
}

TEST(ElfLimitsTest, BtfTypedefCycleRefused) {
  BtfBuilder b;
  const std::uint32_t first = b.add_ref(BtfBuilder::kTypedef, 0);
  const std::uint32_t second = b.add_ref(BtfBuilder::kTypedef, first);
  b.retarget(first, second);  // 1 -> 2 -> 1 -> ...
  EXPECT_EQ(refusal(check_btf(b.build(), "cycle.o")), chain_error("cycle.o", first));
}

TEST(ElfLimitsTest, BtfSelfReferenceRefused) {
  BtfBuilder b;
  b.add_int();
  const std::uint32_t self = b.add_ref(BtfBuilder::kConst, 0);
  b.retarget(self, self);
  EXPECT_EQ(refusal(check_btf(b.build(), "self.o")), chain_error("self.o", self));
}

TEST(ElfLimitsTest, InspectBtfChainAtLimitAcceptedAndPastRefused) {
  auto at = inspect_object(program_object(typedef_chain(kMaxBtfChain - 1)), "at.o");
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_TRUE(at->has_btf);
  EXPECT_EQ(at->license, "GPL");
  ASSERT_NE(find_program(*at, "prog"), nullptr);
  EXPECT_EQ(find_program(*at, "prog")->section, "xdp");

  auto past = inspect_object(program_object(typedef_chain(kMaxBtfChain)), "obj/past.o");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kParse);
  EXPECT_EQ(past.error().message, chain_error("obj/past.o", kMaxBtfChain + 1));
}

}  // namespace
}  // namespace pqbpf::bpf::internal
