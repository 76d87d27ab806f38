// Fuzz target: the audit log reader (parse_record per line, read_records on
// a whole file, the text formatter).
//
// Invariants: a record parse_record accepts keeps its exact line, and
// read_records returns exactly the records whose whole lines parse, each
// formatting to one line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "log_file_util.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Every whole line on its own.
  std::size_t whole = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    const std::string_view line = text.substr(start, nl - start);
    auto record = pqbpf::log::parse_record(line, "fuzz.log:line");
    if (record.ok()) {
      ++whole;
      FUZZ_CHECK(record->line == line, "a record keeps its exact line");
      if (record->kind == pqbpf::log::RecordKind::kCheckpoint) {
        (void)pqbpf::log::checkpoint_signing_bytes(record->checkpoint_body());
      }
    }
    start = nl + 1;
  }

  fuzz::write_scratch_log(data, size);
  pqbpf::log::RecordFilter filter;
  filter.include_checkpoints = true;
  auto records = pqbpf::log::read_records(fuzz::scratch_log_path(), filter);
  if (!records.ok()) return 0;
  FUZZ_CHECK(records->size() == whole, "read_records returns every whole line");
  for (const auto& record : *records) {
    const std::string shown = pqbpf::log::format_record_text(record);
    FUZZ_CHECK(shown.find('\n') == std::string::npos, "text form is one line");
  }
  return 0;
}
