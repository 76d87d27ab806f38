// Detecting the BPF LSM (see availability.h).
#include "pqbpf/lsm/availability.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pqbpf::lsm {

bool lsm_list_has_bpf(std::string_view list) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.back() == '\n' || item.back() == ' ')) item.remove_suffix(1);
    if (item == "bpf") return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

Availability detect(const std::string& path) {
  Availability a;
  std::ifstream in(path);
  if (!in) {
    a.detail = path + ": " + std::strerror(errno) + " (securityfs not mounted, or no LSM support)";
    return a;
  }
  std::ostringstream text;
  text << in.rdbuf();
  a.lsm_list = text.str().substr(0, 4096);
  while (!a.lsm_list.empty() && a.lsm_list.back() == '\n') a.lsm_list.pop_back();
  a.active = lsm_list_has_bpf(a.lsm_list);
  if (!a.active) {
    a.detail = "the BPF LSM is not active (" + path + ": \"" + a.lsm_list +
               "\"; boot with lsm=...,bpf)";
  }
  return a;
}

}  // namespace pqbpf::lsm
