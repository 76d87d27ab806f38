// Discovering a log's rotated files (see log_files.h for the naming).
#include "pqbpf/log/log_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

namespace pqbpf::log {

std::string rotated_file_path(const std::string& path, std::uint64_t index) {
  return path + "." + std::to_string(index);
}
std::string lock_file_path(const std::string& path) { return path + ".lock"; }
std::string torn_file_path(const std::string& path) { return path + ".torn"; }

Result<std::vector<LogFile>> list_log_files(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    const int e = errno;
    return make_error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                      dir + ": cannot list directory: " + std::strerror(e));
  }
  std::vector<LogFile> files;
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name.size() <= base.size() + 1 || name.compare(0, base.size(), base) != 0 ||
        name[base.size()] != '.') {
      continue;
    }
    const std::string suffix = name.substr(base.size() + 1);
    if (suffix.size() > 18 || suffix[0] == '0' ||
        !std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    LogFile f;
    f.index = std::stoull(suffix);
    f.path = rotated_file_path(path, f.index);
    struct stat ls{};
    f.symlink = ::lstat(f.path.c_str(), &ls) == 0 && S_ISLNK(ls.st_mode);
    files.push_back(std::move(f));
  }
  closedir(d);
  std::sort(files.begin(), files.end(),
            [](const LogFile& a, const LogFile& b) { return a.index < b.index; });
  // lstat, not stat: a symlink at `<path>` to the newest rotated file must
  // not pass for the two names of an interrupted rotation.
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    struct stat rs{};
    if (!S_ISLNK(st.st_mode) && !files.empty() && !files.back().symlink &&
        ::lstat(files.back().path.c_str(), &rs) == 0 && rs.st_dev == st.st_dev &&
        rs.st_ino == st.st_ino) {
      files.back().also_current = true;  // one file, two names: list it once
    } else {
      files.push_back(LogFile{path, 0, true, false, S_ISLNK(st.st_mode)});
    }
  }
  if (files.empty()) return make_error(ErrorCode::kNotFound, path + ": no such log");
  return files;
}

}  // namespace pqbpf::log
