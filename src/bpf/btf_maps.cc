// BTF map definitions (see btf_maps.h).
#include "btf_maps.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstring>
#include <memory>

#include "btf_check.h"
#include "libbpf_quiet.h"

namespace pqbpf::bpf::internal {
namespace {

struct BtfFree {
  void operator()(btf* b) const { btf__free(b); }
};

// Follows const/volatile/typedef (bounded, as check_btf guarantees).
const btf_type* skip_mods(const btf* b, std::uint32_t id, std::uint32_t* out_id = nullptr) {
  const btf_type* t = btf__type_by_id(b, id);
  for (int i = 0; t != nullptr && (btf_is_mod(t) || btf_is_typedef(t)) && i < kMaxBtfChain; ++i) {
    id = t->type;
    t = btf__type_by_id(b, id);
  }
  if (out_id != nullptr) *out_id = id;
  return t;
}

// __uint(name, N): pointer to array[N].
std::optional<std::uint32_t> uint_attr(const btf* b, std::uint32_t id) {
  const btf_type* t = skip_mods(b, id);
  if (t == nullptr || !btf_is_ptr(t)) return std::nullopt;
  const btf_type* arr = skip_mods(b, t->type);
  if (arr == nullptr || !btf_is_array(arr)) return std::nullopt;
  return btf_array(arr)->nelems;
}

// __type(name, T): pointer to T; the size of T.
std::optional<std::uint32_t> type_size_attr(const btf* b, std::uint32_t id) {
  const btf_type* t = skip_mods(b, id);
  if (t == nullptr || !btf_is_ptr(t)) return std::nullopt;
  const long long size = btf__resolve_size(b, t->type);
  if (size < 0 || size > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(size);
}

std::string printable(const char* s) {
  std::string out = s != nullptr ? s : "";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

std::optional<std::vector<MapInfo>> btf_defined_maps(std::span<const std::uint8_t> btf_bytes) {
  std::unique_ptr<btf, BtfFree> parsed;
  with_libbpf_quiet([&] {
    btf* b = btf__new(btf_bytes.data(), static_cast<std::uint32_t>(btf_bytes.size()));
    if (libbpf_get_error(b) == 0) parsed.reset(b);
  });
  if (!parsed) return std::nullopt;
  const btf* b = parsed.get();
  std::vector<MapInfo> out;
  for (std::uint32_t id = 1; id < btf__type_cnt(b); ++id) {
    const btf_type* sec = btf__type_by_id(b, id);
    if (sec == nullptr || !btf_is_datasec(sec)) continue;
    const char* sec_name = btf__name_by_offset(b, sec->name_off);
    if (sec_name == nullptr || std::strcmp(sec_name, ".maps") != 0) continue;
    const btf_var_secinfo* vars = btf_var_secinfos(sec);
    for (std::uint16_t i = 0; i < btf_vlen(sec); ++i) {
      const btf_type* var = btf__type_by_id(b, vars[i].type);
      if (var == nullptr || !btf_is_var(var)) return std::nullopt;
      const btf_type* def = skip_mods(b, var->type);
      if (def == nullptr || !btf_is_struct(def)) return std::nullopt;
      MapInfo m;
      m.name = printable(btf__name_by_offset(b, var->name_off));
      m.type = "unknown";
      const btf_member* mem = btf_members(def);
      for (std::uint16_t k = 0; k < btf_vlen(def); ++k) {
        const char* name = btf__name_by_offset(b, mem[k].name_off);
        if (name == nullptr) return std::nullopt;
        const std::string n = name;
        if (n == "type") {
          const auto v = uint_attr(b, mem[k].type);
          if (!v) return std::nullopt;
          const char* tn = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(*v));
          m.type = tn != nullptr ? tn : "unknown";
        } else if (n == "max_entries" || n == "key_size" || n == "value_size") {
          const auto v = uint_attr(b, mem[k].type);
          if (!v) return std::nullopt;
          (n == "max_entries" ? m.max_entries : n == "key_size" ? m.key_size : m.value_size) = *v;
        } else if (n == "key" || n == "value") {
          const auto v = type_size_attr(b, mem[k].type);
          if (!v) return std::nullopt;
          (n == "key" ? m.key_size : m.value_size) = *v;
        }
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace pqbpf::bpf::internal
