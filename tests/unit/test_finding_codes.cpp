// The finding table (core/finding_codes.h) against docs/findings.md and the verifier's sources:
// every documented code is in the table and every table code is documented, under the section
// the table names, with the severity the doc states; every code-shaped string literal in
// verifier/ is in the table (an undocumented code or a typo fails here); every table code is
// used in verifier/ (as its text or its constant).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/finding_codes.h"

namespace aa {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces
// to '-'.
std::string anchor_of(const std::string& heading) {
  std::string out;
  for (char c : heading) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') {
      out += static_cast<char>(std::tolower(u));
    } else if (c == ' ') {
      out += '-';
    }
  }
  return out;
}

struct DocRow {
  std::string anchor;
  std::optional<CodeSeverity> severity;  // only where the section has a severity column
};

std::optional<CodeSeverity> parse_severity(const std::string& cell) {
  std::set<std::string> words;
  std::string first, w;
  auto flush = [&] {
    if (w == "fail" || w == "warn" || w == "info" || w == "error") {
      words.insert(w);
      if (first.empty()) first = w;
    }
    w.clear();
  };
  for (char c : cell) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += c;
    } else {
      flush();
    }
  }
  flush();
  if (words.count("error")) return CodeSeverity::kError;
  if (words.size() > 1) return CodeSeverity::kVaries;
  if (first == "fail") return CodeSeverity::kFail;
  if (first == "warn") return CodeSeverity::kWarn;
  if (first == "info") return CodeSeverity::kInfo;
  return std::nullopt;
}

// Every code docs/findings.md lists: the backquoted codes in the first cell of a table row.
// A code listed twice keeps every section it appears in.
std::multimap<std::string, DocRow> documented_codes(std::set<std::string>& anchors) {
  std::istringstream in(read_all(std::filesystem::path(DOCS_DIR) / "findings.md"));
  std::multimap<std::string, DocRow> out;
  std::string line, anchor;
  bool has_severity = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      anchor = anchor_of(line.substr(3));
      anchors.insert(anchor);
      continue;
    }
    if (line.rfind("| code |", 0) == 0) {
      has_severity = line.find("| severity |") != std::string::npos;
      continue;
    }
    if (line.rfind("| `", 0) != 0) continue;
    const auto end1 = line.find('|', 1);
    const std::string first = line.substr(1, end1 - 1);
    std::optional<CodeSeverity> sev;
    if (has_severity) {
      const auto end2 = line.find('|', end1 + 1);
      sev = parse_severity(line.substr(end1 + 1, end2 - end1 - 1));
    }
    for (std::size_t p = first.find('`'); p != std::string::npos;) {
      const auto q = first.find('`', p + 1);
      if (q == std::string::npos) break;
      out.emplace(first.substr(p + 1, q - p - 1), DocRow{anchor, sev});
      p = first.find('`', q + 1);
    }
  }
  return out;
}

// One source file split into its string literals and the rest (comments dropped).
struct Lexed {
  std::vector<std::string> literals;
  std::string code;
};

Lexed lex(const std::string& s) {
  Lexed out;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto ident_char = [&](std::size_t k) {
    return k < n && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_');
  };
  while (i < n) {
    if (s.compare(i, 2, "//") == 0) {
      i = s.find('\n', i);
      if (i == std::string::npos) i = n;
      continue;
    }
    if (s.compare(i, 2, "/*") == 0) {
      const auto e = s.find("*/", i + 2);
      i = e == std::string::npos ? n : e + 2;
      continue;
    }
    if (s[i] == 'R' && i + 1 < n && s[i + 1] == '"' && !(i > 0 && ident_char(i - 1))) {
      const auto open = s.find('(', i + 2);
      const std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      const auto e = s.find(close, open);
      out.literals.push_back(s.substr(open + 1, e - open - 1));
      i = e + close.size();
      continue;
    }
    if (s[i] == '"') {
      std::string lit;
      std::size_t j = i + 1;
      for (; j < n && s[j] != '"'; ++j) {
        if (s[j] == '\\') ++j;
        if (j < n) lit += s[j];
      }
      out.literals.push_back(lit);
      i = j + 1;
      out.code += ' ';
      continue;
    }
    if (s[i] == '\'' && !(i > 0 && ident_char(i - 1))) {  // not a digit separator
      std::size_t j = i + 1;
      for (; j < n && s[j] != '\''; ++j)
        if (s[j] == '\\') ++j;
      i = j + 1;
      continue;
    }
    out.code += s[i++];
  }
  return out;
}

// The code-shaped tokens of a literal: a known prefix, '.', then [a-z0-9.-], ending in a letter
// or digit, standing alone (not part of a file name, a path or a longer word). "nvidia.chain."
// (a prefix the report matches on) is not a code.
std::vector<std::string> code_tokens(const std::string& lit,
                                     const std::set<std::string>& prefixes) {
  std::vector<std::string> out;
  auto word = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  };
  auto edge = [&](char c) {
    return word(c) || std::isupper(static_cast<unsigned char>(c)) || c == '_' || c == '/';
  };
  for (std::size_t i = 0; i < lit.size(); ++i) {
    if (i > 0 && edge(lit[i - 1])) continue;
    std::size_t j = i;
    while (j < lit.size() && word(lit[j])) ++j;
    if (j == i) continue;
    const std::string tok = lit.substr(i, j - i);
    i = j;
    if (j < lit.size() && edge(lit[j])) continue;
    const auto dot = tok.find('.');
    if (dot == std::string::npos || !prefixes.count(tok.substr(0, dot))) continue;
    if (tok.back() == '.' || tok.back() == '-' || dot + 1 == tok.size()) continue;
    out.push_back(tok);
  }
  return out;
}

// Dotted names in verifier/ that are not codes: EAR claim names of the 2023 draft, which
// results/ear.cpp accepts alongside the underscore names.
const std::set<std::string> kNotCodes = {"ear.appraisal-policy-id", "ear.status",
                                         "ear.trustworthiness-vector", "ear.verifier-id"};

struct Sources {
  std::map<std::string, std::set<std::string>> literal_codes;  // code -> files using it
  std::string code;                                            // all non-literal text
};

Sources scan_sources(const std::set<std::string>& prefixes) {
  Sources out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(VERIFIER_DIR)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    if (ext != ".h" && ext != ".cpp" && ext != ".inc") continue;
    const auto name = e.path().filename().string();
    if (name == "finding_codes.h" || name == "finding_codes.inc") continue;  // the table itself
    const Lexed l = lex(read_all(e.path()));
    for (const auto& lit : l.literals)
      for (const auto& t : code_tokens(lit, prefixes))
        out.literal_codes[t].insert(e.path().lexically_relative(VERIFIER_DIR).string());
    out.code += l.code;
    out.code += '\n';
  }
  return out;
}

std::set<std::string> table_prefixes() {
  std::set<std::string> p;
  for (const auto& row : codes::kTable)
    p.insert(std::string(row.code.substr(0, row.code.find('.'))));
  return p;
}

TEST(FindingCodes, TableHasNoDuplicates) {
  std::set<std::string_view> seen, constants;
  for (const auto& row : codes::kTable) {
    EXPECT_TRUE(seen.insert(row.code).second) << row.code;
    EXPECT_TRUE(constants.insert(row.constant).second) << row.constant;
  }
  EXPECT_EQ(find_code("nvidia.signature.invalid")->severity, CodeSeverity::kFail);
  EXPECT_EQ(find_code("nvidia.signature.invalid")->constant, "kNvidiaSignatureInvalid");
  EXPECT_STREQ(codes::kNvidiaSignatureInvalid, "nvidia.signature.invalid");
  EXPECT_FALSE(find_code("nvidia.signature.invalidd"));
}

TEST(FindingCodes, DocumentationAndTableAgree) {
  std::set<std::string> anchors;
  const auto doc = documented_codes(anchors);
  ASSERT_GT(doc.size(), 150u);  // the doc parsed
  for (const auto& [code, row] : doc)
    EXPECT_TRUE(find_code(code)) << code << " is documented (#" << row.anchor
                                 << ") but not in core/finding_codes.inc";
  for (const auto& row : codes::kTable) {
    const std::string code(row.code);
    const auto [b, e] = doc.equal_range(code);
    if (b == e) {
      ADD_FAILURE() << code << " is in the table but not documented in docs/findings.md";
      continue;
    }
    EXPECT_TRUE(anchors.count(std::string(row.anchor))) << code << ": no section #" << row.anchor;
    bool in_section = false;
    for (auto it = b; it != e; ++it) {
      if (it->second.anchor != row.anchor) continue;
      in_section = true;
      if (it->second.severity) {
        EXPECT_EQ(code_severity_name(*it->second.severity), code_severity_name(row.severity))
            << code << ": the doc and the table disagree on its severity";
      }
    }
    EXPECT_TRUE(in_section) << code << " is not documented under #" << row.anchor;
  }
}

TEST(FindingCodes, EveryCodeInTheSourcesIsInTheTable) {
  const auto src = scan_sources(table_prefixes());
  ASSERT_GT(src.literal_codes.size(), 150u);  // the scan found the sources
  for (const auto& [code, files] : src.literal_codes) {
    if (kNotCodes.count(code)) continue;
    std::string where;
    for (const auto& f : files) where += " " + f;
    EXPECT_TRUE(find_code(code)) << code << " (used in" << where
                                 << ") is not in core/finding_codes.inc nor documented";
  }
  for (const auto& n : kNotCodes) EXPECT_FALSE(find_code(n)) << n;
}

TEST(FindingCodes, EveryTableCodeIsUsed) {
  const auto src = scan_sources(table_prefixes());
  for (const auto& row : codes::kTable) {
    const bool literal = src.literal_codes.count(std::string(row.code)) > 0;
    bool constant = false;
    for (auto p = src.code.find(row.constant); p != std::string::npos && !constant;
         p = src.code.find(row.constant, p + 1)) {
      const auto after = p + row.constant.size();
      const auto c = after < src.code.size() ? static_cast<unsigned char>(src.code[after]) : ' ';
      constant = !(std::isalnum(c) || c == '_');
    }
    EXPECT_TRUE(literal || constant)
        << row.code << " is in the table but nothing in verifier/ emits it: remove it (and its "
        << "documentation) or use it";
  }
}

// The scanner itself: what counts as a code in a literal.
TEST(FindingCodes, Scanner) {
  const std::set<std::string> p = {"nvidia", "tpm", "policy"};
  EXPECT_EQ(code_tokens("[warn] tpm.ek-cert-missing: no EK", p),
            std::vector<std::string>{"tpm.ek-cert-missing"});
  EXPECT_TRUE(code_tokens("nvidia.chain.", p).empty());       // a prefix
  EXPECT_TRUE(code_tokens("export-policy.json", p).empty());  // a file name
  EXPECT_TRUE(code_tokens("dir/policy.json", p).empty());
  EXPECT_TRUE(code_tokens("tpm.", p).empty());
  EXPECT_EQ(code_tokens("a nvidia.rim.missing, tpm.x", p),
            (std::vector<std::string>{"nvidia.rim.missing", "tpm.x"}));
  const Lexed l = lex("// \"tpm.comment\"\nf(\"tpm.a\", 'x', R\"(tpm.b)\"); /* tpm.c */ g(1'000);");
  EXPECT_EQ(l.literals, (std::vector<std::string>{"tpm.a", "tpm.b"}));
  EXPECT_EQ(l.code.find("comment"), std::string::npos);
}

}  // namespace
}  // namespace aa
