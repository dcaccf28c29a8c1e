#include "inventory/lspci.h"

#include "core/text.h"

namespace aa {

namespace {

constexpr size_t kMaxBytes = 1u << 20;
constexpr size_t kMaxDevices = 4096;

struct Token {
  std::string text;
  bool quoted = false;
};

// Splits one line into whitespace-separated tokens; "..." is one token (no escapes in -mm).
std::optional<std::vector<Token>> tokenize(std::string_view line, std::string& why) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    if (c == '"') {
      size_t end = line.find('"', i + 1);
      if (end == std::string_view::npos) {
        why = "unterminated quoted field";
        return std::nullopt;
      }
      t.text = std::string(line.substr(i + 1, end - i - 1));
      t.quoted = true;
      i = end + 1;
      if (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
        why = "text directly after a quoted field";
        return std::nullopt;
      }
    } else {
      size_t end = i;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') {
        if (line[end] == '"') {
          why = "quote inside an unquoted field";
          return std::nullopt;
        }
        ++end;
      }
      t.text = std::string(line.substr(i, end - i));
      i = end;
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Result<std::vector<PciDevice>> parse_lspci_nmm(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxBytes) {
    return make_error("input.too-large", origin, "lspci output larger than 1 MiB");
  }
  std::vector<PciDevice> out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::string where = origin + ":" + std::to_string(line_no);
    auto bad = [&](const std::string& field, const std::string& msg) {
      return make_error("input.bad-lspci-line", where, field + ": " + msg);
    };
    std::string why;
    auto toks = tokenize(line, why);
    if (!toks) return bad("line", why);
    if (toks->empty()) continue;
    if (out.size() >= kMaxDevices) return bad("line", "more than 4096 devices");

    // Split positional (quoted) fields from -r/-p options.
    const Token& slot = (*toks)[0];
    if (slot.quoted) return bad("slot", "quoted; expected DDDD:BB:DD.F (run lspci with -D)");
    auto addr = normalize_pci_address(slot.text);
    if (!addr) {
      return bad("slot",
                 "\"" + printable(slot.text) + "\" is not DDDD:BB:DD.F (run lspci with -D)");
    }
    std::vector<const Token*> quoted;
    for (size_t i = 1; i < toks->size(); ++i) {
      const Token& t = (*toks)[i];
      if (t.quoted) {
        quoted.push_back(&t);
        continue;
      }
      if (t.text.size() >= 3 && t.text[0] == '-' && (t.text[1] == 'r' || t.text[1] == 'p') &&
          parse_hex_exact(t.text.substr(2), 2)) {
        continue;
      }
      return bad("option", "unexpected \"" + printable(t.text) + "\" (expected -rXX or -pXX)");
    }
    if (quoted.size() < 3 || quoted.size() > 5) {
      return bad("line",
                 "expected \"class\" \"vendor\" \"device\" [\"svendor\" \"sdevice\"], "
                 "found " +
                     std::to_string(quoted.size()) +
                     " quoted fields (run lspci "
                     "with -nmm)");
    }
    PciDevice d;
    d.address = *addr;
    d.origin = where;
    auto cls = parse_hex_exact(quoted[0]->text, 4);
    if (!cls) return bad("class", "\"" + printable(quoted[0]->text) + "\" is not 4 hex digits");
    d.class_code = *cls << 8;
    auto v = parse_hex_exact(quoted[1]->text, 4);
    if (!v) return bad("vendor", "\"" + printable(quoted[1]->text) + "\" is not 4 hex digits");
    d.vendor = static_cast<uint16_t>(*v);
    auto dev = parse_hex_exact(quoted[2]->text, 4);
    if (!dev) return bad("device", "\"" + printable(quoted[2]->text) + "\" is not 4 hex digits");
    d.device = static_cast<uint16_t>(*dev);
    const char* names[] = {"subsystem vendor", "subsystem device"};
    uint16_t* targets[] = {&d.subsystem_vendor, &d.subsystem_device};
    for (size_t i = 3; i < quoted.size(); ++i) {
      if (quoted[i]->text.empty()) continue;
      auto s = parse_hex_exact(quoted[i]->text, 4);
      if (!s) {
        return bad(names[i - 3], "\"" + printable(quoted[i]->text) + "\" is not 4 hex digits");
      }
      *targets[i - 3] = static_cast<uint16_t>(*s);
    }
    // Progif, when given, completes the 24-bit class code.
    for (size_t i = 1; i < toks->size(); ++i) {
      const Token& t = (*toks)[i];
      if (!t.quoted && t.text[1] == 'p') d.class_code |= *parse_hex_exact(t.text.substr(2), 2);
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace aa
