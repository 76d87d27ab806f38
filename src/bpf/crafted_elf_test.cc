// Crafted objects from the outside review (issue 11.3): a section or symbol
// that claims code the file does not hold. Each object is written byte by
// byte (elf_builder_test_util.h) and must be refused with one line naming it,
// or read so that every program's facts come from its real code.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "elf_builder_test_util.h"
#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::bpf {
namespace {

using namespace pqbpf::bpf::testing;  // NOLINT: the builder and its ELF constants

// r0 = 2 (XDP_PASS); exit.
const Bytes kCode = {0xb7, 0x00, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};

std::size_t add_code(ElfBuilder& b, const std::string& name, Bytes code) {
  return b.add({.name = name, .flags = kShfAlloc | kShfExecinstr, .data = std::move(code), .align = 8});
}

void add_license(ElfBuilder& b) {
  b.add({.name = "license", .flags = kShfAlloc | kShfWrite, .data = Bytes{'G', 'P', 'L', 0}});
}

std::string refusal(const Result<ObjectInfo>& r) {
  return r.ok() ? "(accepted)" : r.error().message;
}

TEST(CraftedElfTest, ExecutableNobitsSectionWithDecoyFunctionRefused) {
  // The review's object: a real "xdp" program, then an executable SHT_NOBITS
  // section also called "xdp" (64 bytes claimed, none in the file) holding a
  // decoy "prog" listed before the real one. Reading the decoy's code meant
  // taking 64 bytes out of an empty span.
  ElfBuilder b;
  const std::size_t xdp = add_code(b, "xdp", kCode);
  const std::size_t decoy = b.add({.name = "xdp",
                                   .type = kShtNobits,
                                   .flags = kShfAlloc | kShfExecinstr,
                                   .data = Bytes(64, 0),  // only sh_size: NOBITS
                                   .align = 8});
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = decoy, .size = 64},
                  {.name = "prog", .section = xdp, .size = kCode.size()}});
  const Bytes obj = b.build(ElfBuilder::Numbering::kDirect);

  auto r = inspect_object(obj, "dir/crafted.o");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().message, "dir/crafted.o: section " + std::to_string(decoy) +
                                   " (xdp): executable section of type 8, expected SHT_PROGBITS");
}

TEST(CraftedElfTest, ExecutableNobitsSectionAloneRefused) {
  ElfBuilder b;
  const std::size_t code = b.add({.name = "kprobe/x",
                                  .type = kShtNobits,
                                  .flags = kShfAlloc | kShfExecinstr,
                                  .data = Bytes(16, 0),
                                  .align = 8});
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = code, .size = 16}});
  EXPECT_EQ(refusal(inspect_object(b.build(ElfBuilder::Numbering::kDirect), "n.o")),
            "n.o: section " + std::to_string(code) +
                " (kprobe/x): executable section of type 8, expected SHT_PROGBITS");
}

TEST(CraftedElfTest, DecoyFunctionInSameNamedDataSectionDoesNotStandForTheProgram) {
  // A data section named like the program section, with a same-sized decoy
  // "prog" first in the symbol table: the program's hash must be of the code.
  ElfBuilder b;
  const Bytes decoy_bytes(kCode.size(), 0xaa);
  const std::size_t data = b.add({.name = "xdp", .flags = kShfAlloc | kShfWrite, .data = decoy_bytes});
  const std::size_t xdp = add_code(b, "xdp", kCode);
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = data, .size = decoy_bytes.size()},
                  {.name = "prog", .section = xdp, .size = kCode.size()}});

  auto r = inspect_object(b.build(ElfBuilder::Numbering::kDirect), "decoy.o");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->programs.size(), 1u);
  EXPECT_EQ(r->programs[0].name, "prog");
  EXPECT_EQ(r->programs[0].insn_count, 2u);
  EXPECT_EQ(r->programs[0].insn_sha3_256, crypto::to_hex(crypto::sha3_256(kCode)));
}

TEST(CraftedElfTest, TwoExecutableSectionsOfOneNameRefused) {
  ElfBuilder b;
  const std::size_t first = add_code(b, "xdp", kCode);
  const std::size_t second = add_code(b, "xdp", kCode);
  add_license(b);
  add_symbols(b, {{.name = "a", .section = first, .size = kCode.size()},
                  {.name = "b", .section = second, .size = kCode.size()}});
  EXPECT_EQ(refusal(inspect_object(b.build(ElfBuilder::Numbering::kDirect), "two.o")),
            "two.o: section " + std::to_string(second) +
                " (xdp): a second executable section of this name");
}

TEST(CraftedElfTest, FunctionPastTheCodeRefused) {
  ElfBuilder b;
  const std::size_t xdp = add_code(b, "xdp", kCode);
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = xdp, .size = kCode.size() + 8}});
  EXPECT_EQ(refusal(inspect_object(b.build(ElfBuilder::Numbering::kDirect), "f.o")),
            "f.o: function 'prog' lies outside its section xdp or is not whole instructions");
}

TEST(CraftedElfTest, DataSymbolPastItsSectionRefused) {
  ElfBuilder b;
  const std::size_t xdp = add_code(b, "xdp", kCode);
  const std::size_t rodata = b.add({.name = ".rodata", .flags = kShfAlloc, .data = Bytes(8, 1)});
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = xdp, .size = kCode.size()},
                  {.name = "table", .type = kSttObject, .section = rodata, .value = 4, .size = 8}});
  EXPECT_EQ(refusal(inspect_object(b.build(ElfBuilder::Numbering::kDirect), "d.o")),
            "d.o: symbol 'table' (offset 4, size 8) lies outside its section .rodata");
}

TEST(CraftedElfTest, BssSymbolInsideItsNobitsSizeAccepted) {
  // .bss is SHT_NOBITS: its symbols are bounded by sh_size, not file bytes.
  ElfBuilder b;
  const std::size_t xdp = add_code(b, "xdp", kCode);
  const std::size_t bss =
      b.add({.name = ".bss", .type = kShtNobits, .flags = kShfAlloc | kShfWrite, .data = Bytes(16, 0)});
  add_license(b);
  add_symbols(b, {{.name = "prog", .section = xdp, .size = kCode.size()},
                  {.name = "counter", .type = kSttObject, .section = bss, .value = 8, .size = 8}});
  auto r = inspect_object(b.build(ElfBuilder::Numbering::kDirect), "bss.o");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_NE(find_program(*r, "prog"), nullptr);

  ElfBuilder past;
  const std::size_t xdp2 = add_code(past, "xdp", kCode);
  const std::size_t bss2 =
      past.add({.name = ".bss", .type = kShtNobits, .flags = kShfAlloc | kShfWrite, .data = Bytes(16, 0)});
  add_license(past);
  add_symbols(past, {{.name = "prog", .section = xdp2, .size = kCode.size()},
                     {.name = "counter", .type = kSttObject, .section = bss2, .value = 16, .size = 8}});
  EXPECT_EQ(refusal(inspect_object(past.build(ElfBuilder::Numbering::kDirect), "bss.o")),
            "bss.o: symbol 'counter' (offset 16, size 8) lies outside its section .bss");
}

}  // namespace
}  // namespace pqbpf::bpf
