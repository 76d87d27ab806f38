// BTF reference check (see btf_check.h). Parsing itself is libbpf's
// btf__new(); this file only walks the parsed types.
#include "btf_check.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <memory>

#include "libbpf_quiet.h"

namespace pqbpf::bpf::internal {
namespace {

struct BtfFree {
  void operator()(btf* b) const { btf__free(b); }
};

Error btf_error(const std::string& label, const std::string& what) {
  return make_error(ErrorCode::kParse, label + ": BTF " + what);
}

// The type a non-pointer reference leads to, or 0 when the chain stops here.
std::uint32_t next_in_chain(const btf_type* t) {
  if (btf_is_mod(t) || btf_is_typedef(t) || btf_is_var(t) || btf_is_func(t) ||
      btf_is_decl_tag(t) || btf_is_type_tag(t)) {
    return t->type;
  }
  if (btf_is_array(t)) return btf_array(t)->type;
  return 0;
}

}  // namespace

Status check_btf(std::span<const std::uint8_t> btf_bytes, const std::string& label) {
  std::unique_ptr<btf, BtfFree> parsed;
  auto warnings = with_libbpf_quiet([&] {
    btf* b = btf__new(btf_bytes.data(), static_cast<std::uint32_t>(btf_bytes.size()));
    if (libbpf_get_error(b) == 0) parsed.reset(b);
  });
  if (!parsed) {
    return btf_error(label, "is malformed" + (warnings.empty() ? "" : ": " + warnings.front()));
  }
  const btf* b = parsed.get();
  const std::uint32_t n = btf__type_cnt(b);
  auto ref_ok = [n](std::uint32_t id) { return id < n; };
  auto name_ok = [b](std::uint32_t off) { return btf__name_by_offset(b, off) != nullptr; };

  for (std::uint32_t id = 1; id < n; ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    const std::string where = "type " + std::to_string(id);
    if (t == nullptr) return btf_error(label, where + " cannot be read");
    if (!name_ok(t->name_off)) return btf_error(label, where + ": name offset is outside the strings");
    const std::uint16_t vlen = btf_vlen(t);
    bool refs = true;
    bool names = true;
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
        refs = ref_ok(t->type);
        break;
      case BTF_KIND_FUNC:
        refs = ref_ok(t->type) && btf_is_func_proto(btf__type_by_id(b, t->type));
        break;
      case BTF_KIND_ARRAY:
        refs = ref_ok(btf_array(t)->type) && ref_ok(btf_array(t)->index_type);
        break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
        const btf_member* m = btf_members(t);
        for (std::uint16_t i = 0; i < vlen; ++i) {
          refs = refs && ref_ok(m[i].type);
          names = names && name_ok(m[i].name_off);
        }
        break;
      }
      case BTF_KIND_FUNC_PROTO: {
        refs = ref_ok(t->type);
        const btf_param* p = btf_params(t);
        for (std::uint16_t i = 0; i < vlen; ++i) {
          refs = refs && ref_ok(p[i].type);
          names = names && name_ok(p[i].name_off);
        }
        break;
      }
      case BTF_KIND_DATASEC: {
        const btf_var_secinfo* v = btf_var_secinfos(t);
        for (std::uint16_t i = 0; i < vlen; ++i) {
          // Variables, or functions in .ksyms (extern kfuncs).
          refs = refs && ref_ok(v[i].type) && v[i].type != 0 &&
                 (btf_is_var(btf__type_by_id(b, v[i].type)) ||
                  btf_is_func(btf__type_by_id(b, v[i].type)));
        }
        break;
      }
      case BTF_KIND_ENUM: {
        const struct btf_enum* e = btf_enum(t);
        for (std::uint16_t i = 0; i < vlen; ++i) names = names && name_ok(e[i].name_off);
        break;
      }
      case BTF_KIND_ENUM64: {
        const struct btf_enum64* e = btf_enum64(t);
        for (std::uint16_t i = 0; i < vlen; ++i) names = names && name_ok(e[i].name_off);
        break;
      }
      default:
        break;
    }
    if (!refs) return btf_error(label, where + ": refers to a missing or wrong-kind type");
    if (!names) return btf_error(label, where + ": a member name offset is outside the strings");
  }

  // Non-pointer reference chains must end (a typedef cycle would loop libbpf).
  for (std::uint32_t id = 1; id < n; ++id) {
    std::uint32_t cur = id;
    int steps = 0;
    while (cur != 0) {
      if (++steps > kMaxBtfChain) {
        return btf_error(label, "type " + std::to_string(id) + ": reference chain loops or exceeds " +
                                    std::to_string(kMaxBtfChain));
      }
      cur = next_in_chain(btf__type_by_id(b, cur));
    }
  }
  return ok_status();
}

}  // namespace pqbpf::bpf::internal
