// Validated ELF parsing for BPF objects (see elf_image.h).
//
// Order of checks: raw ELF header (magic, class, byte order, type, machine,
// section table inside the file) by hand, then libelf on a private copy for
// the section table, names, symbols and relocations, each bounded against the
// file. libelf converts headers and symbols from either byte order.
#include "elf_image.h"

#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace pqbpf::bpf::internal {
namespace {

constexpr std::uint16_t kEmBpf = 247;  // EM_BPF
constexpr std::size_t kElf64HeaderSize = 64;
constexpr std::size_t kElf64ShdrSize = 64;
constexpr std::size_t kElf64SymSize = 24;
constexpr std::size_t kElf64RelSize = 16;
constexpr std::size_t kElf64RelaSize = 24;
constexpr std::size_t kInsnSize = 8;

Error parse_error(const std::string& label, const std::string& what) {
  return make_error(ErrorCode::kParse, label + ": " + what);
}

bool add_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t* out) {
  return __builtin_add_overflow(a, b, out);
}

// Inclusive [offset, offset+size) lies inside a buffer of `limit` bytes.
bool in_bounds(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
  std::uint64_t end = 0;
  return !add_overflows(offset, size, &end) && end <= limit;
}

bool printable_name(const char* s) {
  for (; *s != '\0'; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::uint64_t read_uint(std::span<const std::uint8_t> b, std::size_t off, std::size_t n, bool big) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t idx = big ? off + i : off + n - 1 - i;
    v = (v << 8) | b[idx];
  }
  return v;
}

struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};

void init_libelf_once() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

// Checks the fixed header fields before libelf sees the bytes.
Status check_header(std::span<const std::uint8_t> b, const std::string& label, bool* big) {
  if (b.empty()) return parse_error(label, "empty file, not a BPF object");
  if (b.size() < kElf64HeaderSize || std::memcmp(b.data(), ELFMAG, SELFMAG) != 0) {
    return parse_error(label, "not an ELF file (no ELF magic), not a BPF object");
  }
  if (b[EI_CLASS] != ELFCLASS64) {
    return parse_error(label, "not a 64-bit ELF object (BPF objects are ELFCLASS64)");
  }
  if (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB) {
    return parse_error(label, "ELF header has an invalid byte order (EI_DATA)");
  }
  *big = b[EI_DATA] == ELFDATA2MSB;
  const auto e_type = read_uint(b, 16, 2, *big);
  const auto e_machine = read_uint(b, 18, 2, *big);
  const auto e_shoff = read_uint(b, 40, 8, *big);
  const auto e_shentsize = read_uint(b, 58, 2, *big);
  const auto e_shnum = read_uint(b, 60, 2, *big);
  const auto e_shstrndx = read_uint(b, 62, 2, *big);
  if (e_machine != kEmBpf) {
    return parse_error(label, "not a BPF object (ELF machine " + std::to_string(e_machine) +
                                  ", expected 247 EM_BPF)");
  }
  if (e_type != ET_REL) {
    return parse_error(label, "not a relocatable object (ELF type " + std::to_string(e_type) +
                                  ", expected ET_REL)");
  }
  if (e_shoff == 0) return parse_error(label, "ELF object has no section header table");
  // Extended numbering (as libelf reads it): a count of 0 or a string table
  // index of SHN_XINDEX means the real value is in section 0 (sh_size, sh_link).
  std::uint64_t shnum = e_shnum;
  std::uint64_t shstrndx = e_shstrndx;
  if ((e_shnum == 0 || e_shstrndx == SHN_XINDEX) && e_shentsize == kElf64ShdrSize) {
    if (!in_bounds(e_shoff, kElf64ShdrSize, b.size())) {
      return parse_error(label, "section header table extends past the end of the file (truncated?)");
    }
    if (e_shnum == 0) shnum = read_uint(b, e_shoff + 32, 8, *big);
    if (e_shstrndx == SHN_XINDEX) shstrndx = read_uint(b, e_shoff + 40, 4, *big);
  }
  if (shnum == 0) return parse_error(label, "ELF object has no section header table");
  if (e_shentsize != kElf64ShdrSize) {
    return parse_error(label, "ELF section header size is " + std::to_string(e_shentsize) +
                                  ", expected 64");
  }
  // Before the size check, so shnum * 64 cannot overflow and nothing is copied.
  if (shnum > kMaxSections) return parse_error(label, "too many sections");
  if (!in_bounds(e_shoff, shnum * kElf64ShdrSize, b.size())) {
    return parse_error(label, "section header table extends past the end of the file (truncated?)");
  }
  if (shstrndx == 0 || shstrndx >= shnum) {
    return parse_error(label, "section name string table index " + std::to_string(shstrndx) +
                                  " is out of range");
  }
  return ok_status();
}

std::string sec_ref(std::size_t index) { return "section " + std::to_string(index); }

// Relocation records must point at existing symbols and at whole instructions.
Status check_relocations(Elf_Scn* scn, const GElf_Shdr& shdr, ElfImage& image,
                         std::size_t index, std::size_t symtab_index, const std::string& label) {
  const std::size_t entsize = shdr.sh_type == SHT_REL ? kElf64RelSize : kElf64RelaSize;
  const std::string where = sec_ref(index) + " (" + image.sections[index].name + ")";
  if (shdr.sh_entsize != entsize || shdr.sh_size % entsize != 0) {
    return parse_error(label, where + ": relocation entry size " + std::to_string(shdr.sh_entsize) +
                                  ", expected " + std::to_string(entsize));
  }
  if (shdr.sh_link != symtab_index) {
    return parse_error(label, where + ": relocations do not refer to the symbol table");
  }
  if (shdr.sh_info == 0 || shdr.sh_info >= image.sections.size()) {
    return parse_error(label, where + ": relocation target section " +
                                  std::to_string(shdr.sh_info) + " is out of range");
  }
  ElfSection& target = image.sections[shdr.sh_info];
  Elf_Data* data = elf_getdata(scn, nullptr);
  const std::size_t count = shdr.sh_size / entsize;
  if (count > 0 && (data == nullptr || data->d_size < shdr.sh_size)) {
    return parse_error(label, where + ": relocation data cannot be read");
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t r_offset = 0;
    std::uint64_t r_info = 0;
    if (shdr.sh_type == SHT_REL) {
      GElf_Rel rel;
      if (gelf_getrel(data, static_cast<int>(i), &rel) == nullptr) {
        return parse_error(label, where + ": relocation " + std::to_string(i) + " cannot be read");
      }
      r_offset = rel.r_offset;
      r_info = rel.r_info;
    } else {
      GElf_Rela rela;
      if (gelf_getrela(data, static_cast<int>(i), &rela) == nullptr) {
        return parse_error(label, where + ": relocation " + std::to_string(i) + " cannot be read");
      }
      r_offset = rela.r_offset;
      r_info = rela.r_info;
    }
    const std::uint64_t sym = GELF_R_SYM(r_info);
    if (sym >= image.symbols.size()) {
      return parse_error(label, where + ": relocation " + std::to_string(i) + " names symbol " +
                                    std::to_string(sym) + ", past the symbol table");
    }
    if (target.executable()) {
      // An instruction is 8 bytes; a 64-bit immediate load (opcode 0x18) is 16.
      if (r_offset % kInsnSize != 0 || !in_bounds(r_offset, kInsnSize, target.bytes.size())) {
        return parse_error(label, where + ": relocation " + std::to_string(i) +
                                      " points outside the instructions of " + target.name);
      }
      if (target.bytes[r_offset] == 0x18 && !in_bounds(r_offset, 2 * kInsnSize, target.bytes.size())) {
        return parse_error(label, where + ": relocation " + std::to_string(i) +
                                      " points at a truncated 64-bit load in " + target.name);
      }
    } else if (!in_bounds(r_offset, 1, target.size)) {
      return parse_error(label, where + ": relocation " + std::to_string(i) +
                                    " points past the end of " + target.name);
    }
    if (target.executable()) {
      target.relocations.push_back(ElfRelocation{r_offset, static_cast<std::uint32_t>(sym)});
    }
  }
  return ok_status();
}

}  // namespace

bool ElfSection::executable() const { return (flags & SHF_EXECINSTR) != 0; }

const ElfSection* ElfImage::find_section(std::string_view name) const {
  for (const auto& s : sections) {
    if (s.index != 0 && s.name == name) return &s;
  }
  return nullptr;
}

const ElfSection* ElfImage::find_code_section(std::string_view name) const {
  for (const auto& s : sections) {
    if (s.index != 0 && s.executable() && s.name == name) return &s;
  }
  return nullptr;
}

std::uint32_t ElfImage::read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) const {
  return static_cast<std::uint32_t>(read_uint(bytes, offset, 4, endianness == Endianness::kBig));
}

Result<ElfImage> parse_elf_image(std::span<const std::uint8_t> bytes, const std::string& label) {
  bool big = false;
  PQBPF_RETURN_IF_ERROR(check_header(bytes, label, &big));
  init_libelf_once();

  // libelf may convert foreign-endian data in place: give it a private copy.
  std::vector<char> copy(bytes.begin(), bytes.end());
  std::unique_ptr<Elf, ElfDeleter> elf(elf_memory(copy.data(), copy.size()));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
    return parse_error(label, std::string("libelf cannot read the object: ") + elf_errmsg(-1));
  }
  std::size_t shnum = 0;
  std::size_t shstrndx = 0;
  if (elf_getshdrnum(elf.get(), &shnum) != 0 || elf_getshdrstrndx(elf.get(), &shstrndx) != 0) {
    return parse_error(label, std::string("cannot read the section table: ") + elf_errmsg(-1));
  }
  if (shnum > kMaxSections) return parse_error(label, "too many sections");

  ElfImage image;
  image.endianness = big ? Endianness::kBig : Endianness::kLittle;
  image.sections.resize(shnum);

  GElf_Shdr strhdr;
  Elf_Scn* strscn = elf_getscn(elf.get(), shstrndx);
  if (strscn == nullptr || gelf_getshdr(strscn, &strhdr) == nullptr || strhdr.sh_type != SHT_STRTAB) {
    return parse_error(label, "section name string table is not a string table");
  }

  std::size_t symtab_index = 0;
  std::unordered_set<std::string> code_names;
  for (std::size_t i = 1; i < shnum; ++i) {
    Elf_Scn* scn = elf_getscn(elf.get(), i);
    GElf_Shdr shdr;
    if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr) {
      return parse_error(label, sec_ref(i) + ": header cannot be read");
    }
    ElfSection& sec = image.sections[i];
    sec.index = i;
    sec.type = shdr.sh_type;
    sec.flags = shdr.sh_flags;
    sec.size = shdr.sh_size;
    sec.link = shdr.sh_link;
    sec.info = shdr.sh_info;
    if (shdr.sh_type != SHT_NOBITS) {
      if (!in_bounds(shdr.sh_offset, shdr.sh_size, bytes.size())) {
        return parse_error(label, sec_ref(i) + ": data extends past the end of the file");
      }
      sec.bytes = bytes.subspan(shdr.sh_offset, shdr.sh_size);
    }
    const char* name = elf_strptr(elf.get(), shstrndx, shdr.sh_name);
    if (name == nullptr) {
      return parse_error(label, sec_ref(i) + ": name offset " + std::to_string(shdr.sh_name) +
                                    " is outside the section name table");
    }
    if (!printable_name(name)) {
      return parse_error(label, sec_ref(i) + ": name is not printable ASCII");
    }
    sec.name = name;
    // Code is read from the file: an executable SHT_NOBITS (or any other
    // non-PROGBITS) section has no bytes, yet its symbols would claim some.
    if (sec.executable() && sec.type != SHT_PROGBITS) {
      return parse_error(label, sec_ref(i) + " (" + sec.name + "): executable section of type " +
                                    std::to_string(sec.type) + ", expected SHT_PROGBITS");
    }
    if (sec.executable() && sec.size % kInsnSize != 0) {
      return parse_error(label, sec_ref(i) + " (" + sec.name + "): code size " +
                                    std::to_string(sec.size) + " is not a multiple of 8");
    }
    // Programs are found by section name: two code sections of one name
    // would let a symbol in one stand for code in the other.
    if (sec.executable() && !code_names.insert(sec.name).second) {
      return parse_error(label, sec_ref(i) + " (" + sec.name +
                                    "): a second executable section of this name");
    }
    if (shdr.sh_type == SHT_SYMTAB) {
      if (symtab_index != 0) return parse_error(label, "object has more than one symbol table");
      symtab_index = i;
    }
  }

  // The symbol table: fixed entry size, a real string table, sane indexes.
  if (symtab_index != 0) {
    const ElfSection& st = image.sections[symtab_index];
    if (st.bytes.empty() && st.size != 0) return parse_error(label, "symbol table has no data");
    Elf_Scn* scn = elf_getscn(elf.get(), symtab_index);
    GElf_Shdr shdr;
    gelf_getshdr(scn, &shdr);
    if (shdr.sh_entsize != kElf64SymSize || shdr.sh_size % kElf64SymSize != 0) {
      return parse_error(label, "symbol table has entry size " + std::to_string(shdr.sh_entsize) +
                                    ", expected 24");
    }
    if (shdr.sh_link == 0 || shdr.sh_link >= shnum ||
        image.sections[shdr.sh_link].type != SHT_STRTAB) {
      return parse_error(label, "symbol table links to section " + std::to_string(shdr.sh_link) +
                                    ", which is not a string table");
    }
    const std::size_t count = shdr.sh_size / kElf64SymSize;
    if (count > kMaxSymbols) return parse_error(label, "too many symbols");
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (count > 0 && (data == nullptr || data->d_size < shdr.sh_size)) {
      return parse_error(label, "symbol table data cannot be read");
    }
    image.symbols.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) {
        return parse_error(label, "symbol " + std::to_string(i) + " cannot be read");
      }
      const char* name = elf_strptr(elf.get(), shdr.sh_link, sym.st_name);
      if (name == nullptr) {
        return parse_error(label, "symbol " + std::to_string(i) + ": name offset is outside the string table");
      }
      if (!printable_name(name)) {
        return parse_error(label, "symbol " + std::to_string(i) + ": name is not printable ASCII");
      }
      ElfSymbol& out = image.symbols[i];
      out.name = name;
      out.type = GELF_ST_TYPE(sym.st_info);
      out.bind = GELF_ST_BIND(sym.st_info);
      out.shndx = sym.st_shndx;
      out.value = sym.st_value;
      out.size = sym.st_size;
      if (sym.st_shndx == SHN_XINDEX) {
        return parse_error(label, "symbol '" + out.name + "' uses extended section indexes");
      }
      if (sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE && sym.st_shndx >= shnum) {
        return parse_error(label, "symbol '" + out.name + "' is in section " +
                                      std::to_string(sym.st_shndx) + ", which does not exist");
      }
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE || sym.st_shndx >= shnum) continue;
      // Every symbol lies inside the bytes its section really has (sh_size
      // only for SHT_NOBITS, which has none in the file); a function in
      // code is also whole instructions.
      const ElfSection& home = image.sections[sym.st_shndx];
      if (home.executable() && out.type == STT_FUNC) {
        if (out.value % kInsnSize != 0 || out.size % kInsnSize != 0 ||
            !in_bounds(out.value, out.size, home.bytes.size())) {
          return parse_error(label, "function '" + out.name + "' lies outside its section " +
                                        home.name + " or is not whole instructions");
        }
        continue;
      }
      const std::uint64_t limit = home.type == SHT_NOBITS ? home.size : home.bytes.size();
      if (!in_bounds(out.value, out.size, limit)) {
        return parse_error(label, "symbol '" + out.name + "' (offset " + std::to_string(out.value) +
                                      ", size " + std::to_string(out.size) +
                                      ") lies outside its section " + home.name);
      }
    }
  }

  // BTF sections libbpf will parse must hold data.
  for (const char* name : {".BTF", ".BTF.ext"}) {
    const ElfSection* s = image.find_section(name);
    if (s != nullptr && s->bytes.empty()) {
      return parse_error(label, std::string("section ") + name + " is empty");
    }
  }

  for (std::size_t i = 1; i < shnum; ++i) {
    const ElfSection& sec = image.sections[i];
    if (sec.type != SHT_REL && sec.type != SHT_RELA) continue;
    if (symtab_index == 0) return parse_error(label, "object has relocations but no symbol table");
    GElf_Shdr shdr;
    Elf_Scn* scn = elf_getscn(elf.get(), i);
    gelf_getshdr(scn, &shdr);
    PQBPF_RETURN_IF_ERROR(check_relocations(scn, shdr, image, i, symtab_index, label));
  }
  return image;
}

}  // namespace pqbpf::bpf::internal
