#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "bundle/bundle.h"
#include "core/json.h"
#include "core/json_text.h"

namespace aa {

TEST(StrictJson, AcceptsPlainDocuments) {
  auto r = parse_json_strict(R"({"a": [1, {"b": "c"}], "d": null})", "doc");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)["a"][1]["b"], "c");
}

TEST(StrictJson, RejectsDuplicateKeysWithPointer) {
  auto r = parse_json_strict(R"({"a": [1, {"b": 1, "b": 2}]})", "doc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.duplicate-key");
  EXPECT_EQ(r.error().field, "doc#/a/1/b");
}

TEST(StrictJson, RejectsDeepNesting) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = parse_json_strict(deep, "doc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-deep");
}

TEST(StrictJson, RejectsMoreValuesThanTheLimit) {
  JsonLimits lim;
  lim.max_values = 4;
  EXPECT_TRUE(parse_json_strict(R"({"a":[1,2]})", "t", lim));  // object, array, 1, 2
  auto r = parse_json_strict(R"({"a":[1,2,3]})", "t", lim);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "input.too-large");
  EXPECT_NE(r.error().message.find("more than 4 JSON values"), std::string::npos);
  // A bundle of empty objects is refused long before its 16 MiB are in memory as a DOM.
  std::string body = R"({"schema":"accel-attest/bundle/v1","x":[)";
  for (int i = 0; i < 600000; ++i) body += "{},";
  body += "{}]}";
  auto b = parse_bundle(body, "bundle");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, "input.too-large");
}

TEST(StrictJson, RejectsSyntaxErrorsAndTrailingGarbage) {
  for (const char* bad : {"{", "{\"a\":}", "[1,]", "{} x", "\"\\u12\"", "", "nul"}) {
    auto r = parse_json_strict(bad, "doc");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "input.bad-json") << bad;
  }
  // A NUL byte does not end the document: what a host appends after one is refused, not
  // silently dropped (nlohmann's own parser stops reading at the NUL).
  for (std::string bad :
       {std::string("[1]\0x", 5), std::string("{}\0", 3), std::string("\"a\0b\"", 5)}) {
    auto r = parse_json_strict(bad, "doc");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "input.bad-json");
  }
}

TEST(StrictJson, ReadsEscapesUtf8AndNumberTypesAsRfc8259Says) {
  auto r = parse_json_strict(
      R"({"e":"\"\\\/\b\f\n\r\t","u":"\u00e9\ud83d\ude00","raw":")"
      "caf\xc3\xa9"
      R"(",)"
      R"("i":-5,"n":18446744073709551615,"big":18446744073709551616,"f":-0.5e1,"z":-0})",
      "doc");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)["e"], "\"\\/\b\f\n\r\t");
  EXPECT_EQ((*r)["u"], "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ((*r)["raw"], "caf\xc3\xa9");
  EXPECT_TRUE((*r)["i"].is_number_integer() && !(*r)["i"].is_number_unsigned());
  EXPECT_TRUE((*r)["n"].is_number_unsigned());
  EXPECT_TRUE((*r)["big"].is_number_float());
  EXPECT_EQ((*r)["f"], -5.0);
  EXPECT_TRUE((*r)["z"].is_number_integer());
  // Not UTF-8 (overlong, surrogate, above U+10FFFF, cut short), lone or reversed surrogate
  // escapes, control characters, leading zeros and bare signs are syntax errors.
  for (std::string bad :
       {std::string("\"\xc0\xaf\""), std::string("\"\xed\xa0\x80\""),
        std::string("\"\xf4\x90\x80\x80\""), std::string("\"\xe2\x82\""),
        std::string(R"("\ud800")"), std::string(R"("\udc00\ud800")"), std::string("\"\t\""),
        std::string("01"), std::string("+1"), std::string("1."), std::string(".5"),
        std::string("1e"), std::string("-"), std::string("tru"), std::string("[1 2]"),
        std::string("{\"a\" 1}"), std::string("{1:2}")}) {
    auto b = parse_json_strict(bad, "doc");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().code, "input.bad-json") << bad;
  }
  // A UTF-8 byte order mark before the document is allowed.
  EXPECT_TRUE(parse_json_strict("\xef\xbb\xbf{}", "doc").ok());
}

TEST(StrictJson, RejectsOversizedInput) {
  JsonLimits l;
  l.max_bytes = 10;
  auto r = parse_json_strict(R"({"aaaaaaaaaaaaa": 1})", "doc", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-large");
  l = JsonLimits{};
  l.max_string = 4;
  r = parse_json_strict(R"({"a": "toolong"})", "doc", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-large");
  EXPECT_EQ(r.error().field, "doc#/a");
}

TEST(JsonAt, NamesMissingAndMistypedFields) {
  auto doc = parse_json_strict(R"({"devices": [{"vendor_id": 4318}]})", "inv.json");
  ASSERT_TRUE(doc.ok());
  JsonAt root(*doc, "inv.json");
  auto dev = root.child("devices").at(0);
  auto v = dev.field("vendor_id");
  ASSERT_TRUE(v.ok());
  auto s = v->string();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "input.wrong-type");
  EXPECT_EQ(s.error().field, "inv.json#/devices/0/vendor_id");
  auto m = dev.field("device_id");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "input.missing-field");
  EXPECT_EQ(m.error().field, "inv.json#/devices/0/device_id");
}

}  // namespace aa

namespace aa {

TEST(StrictJson, RejectsNumbersThatAreNotFiniteWithPointer) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : {Case{R"({"rtt_ms": 1e400})", "doc#/rtt_ms"},
                        Case{R"({"a": {"lat": -1e400}})", "doc#/a/lat"},
                        Case{R"({"probes": [1, 2, 1e999]})", "doc#/probes/2"},
                        Case{R"([[0.5], [1E+400]])", "doc#/1/0"}, Case{"-1e400", "doc#/"}}) {
    auto r = parse_json_strict(c.text, "doc");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, "input.not-finite") << c.text;
    EXPECT_EQ(r.error().field, c.field) << c.text;
  }
  // A very large integer is a double too, and overflows the same way.
  auto r = parse_json_strict("{\"n\": 1" + std::string(400, '0') + "}", "doc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.not-finite");
  EXPECT_EQ(r.error().field, "doc#/n");
  // Large but finite numbers and underflow to zero are numbers.
  auto ok = parse_json_strict(R"({"a": 1.7e308, "b": 1e-400})", "doc");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  // "NaN" and "Infinity" are not JSON at all.
  for (const char* bad : {R"({"a": NaN})", R"({"a": Infinity})", R"({"a": -Infinity})"}) {
    auto b = parse_json_strict(bad, "doc");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().code, "input.bad-json") << bad;
  }
}

TEST(JsonAt, NumberRefusesNonFiniteValuesBuiltInMemory) {
  Json j = {{"x", std::numeric_limits<double>::quiet_NaN()},
            {"y", std::numeric_limits<double>::infinity()},
            {"z", 2.5}};
  JsonAt at(j, "mem");
  auto x = at.number_field("x");
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.error().code, "input.not-finite");
  EXPECT_EQ(x.error().field, "mem#/x");
  EXPECT_EQ(at.number_field("y").error().code, "input.not-finite");
  EXPECT_EQ(*at.number_field("z"), 2.5);
}

TEST(JsonAt, ChildAndAtNeverThrow) {
  Json j = Json::parse(R"({"a": [1], "s": "x"})");
  JsonAt at(j, "doc");
  // Missing members, indexes past the end and children of scalars are viewed as null: the next
  // accessor names the place instead of nlohmann throwing out_of_range or type_error.
  auto missing = at.child("nope").string();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "input.wrong-type");
  EXPECT_EQ(missing.error().field, "doc#/nope");
  auto past = at.child("a").at(5).number();
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().field, "doc#/a/5");
  EXPECT_FALSE(at.child("s").child("k").object().ok());
  EXPECT_FALSE(at.child("s").at(0).array().ok());
}

TEST(JsonText, InvalidUtf8IsReplacedNotThrown) {
  // nlohmann's dump() throws type_error 316 here; json_text() replaces the bad bytes.
  Json j = {{"serial", std::string("SN\xff\xfe"
                                   "1")}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);
  EXPECT_EQ(json_text(j),
            "{\"serial\":\"SN\xef\xbf\xbd\xef\xbf\xbd"
            "1\"}");
}

}  // namespace aa

namespace aa {

TEST(JsonText, Utf8SafeMakesEveryStringSerialisable) {
  Json j = {{"submods", {{std::string("gpu\xff"), {{"name", std::string("H\xc3")}}}}},
            {"ok", "caf\xc3\xa9"},
            {"n", 3}};
  Json s = utf8_safe(j);
  std::string text;
  ASSERT_NO_THROW(text = s.dump());
  EXPECT_EQ(s["submods"]["gpu\xef\xbf\xbd"]["name"], "H\xef\xbf\xbd");
  EXPECT_EQ(s["ok"], "caf\xc3\xa9");
  EXPECT_EQ(s["n"], 3);
}

// utf8_safe() keeps a document that is valid UTF-8 as it is, without re-serialising it; its
// validity check must never be laxer than the serialiser's, or dump() would throw after it.
TEST(JsonText, Utf8SafeAgreesWithTheSerialiserOnEveryEdgeCase) {
  const std::vector<std::string> cases = {"plain",
                                          "caf\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80",
                                          "\xf4\x8f\xbf\xbf",
                                          "\xc0\x80",
                                          "\xc1\xbf",
                                          "\xe0\x80\x80",
                                          "\xe0\x9f\xbf",
                                          "\xed\xa0\x80",
                                          "\xed\xbf\xbf",
                                          "\xf0\x80\x80\x80",
                                          "\xf0\x8f\xbf\xbf",
                                          "\xf4\x90\x80\x80",
                                          "\xf5\x80\x80\x80",
                                          "\xe2\x82",
                                          "\xf0\x9f\x98",
                                          "\x80",
                                          "\xbf",
                                          "a\xc3",
                                          "\xc3\x28",
                                          "\xff\xfe"};
  for (const auto& c : cases) {
    Json j = {{"v", c}, {c, 1}, {"a", Json::array({c})}};
    Json s = utf8_safe(j);
    std::string text;
    ASSERT_NO_THROW(text = s.dump()) << testing::PrintToString(c);
    bool valid = true;
    try {
      (void)Json(c).dump();
    } catch (const std::exception&) {
      valid = false;
    }
    if (valid) {
      EXPECT_EQ(s, j) << testing::PrintToString(c);
    }
  }
}

}  // namespace aa

namespace aa {

// json_text()'s compact form is written by its own writer; it must read byte for byte as
// nlohmann's dump(-1, replace) does, since signed tokens and stored documents are compared as
// text: every JSON document the project ships, and strings with every escape and bad byte.
TEST(JsonText, CompactWriterMatchesTheLibrarySerialiser) {
  size_t documents = 0;
  for (const char* dir : {EXAMPLES_DIR, PROFILES_DIR}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() != ".json") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) continue;
      EXPECT_EQ(json_text(j), j.dump(-1, ' ', false, Json::error_handler_t::replace)) << e.path();
      ++documents;
    }
  }
  EXPECT_GT(documents, 20u);
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += "\x7f\"\\/";
  const Json j = {
      {"controls", controls},
      {"mixed", "caf\xc3\xa9\n\"\xe2\x82\xac\\\x01\xf0\x9f\x98\x80\t"},
      {"late bad", "caf\xc3\xa9 \n then \xff"},
      {"every byte", every_byte},
      {"bad", std::string("SN\xff\xfe"
                          "1\xc3")},
      {std::string("k\xc0\x80\n"), Json::array({1, -2, 3.5, 1e300, -0.0, nullptr})},
      {"big",
       Json::array({std::numeric_limits<int64_t>::min(), std::numeric_limits<uint64_t>::max()})},
      {"nested", {{"t", true}, {"f", false}, {"e", Json::object()}, {"a", Json::array()}}},
      {"bin", Json::binary({1, 2, 3})}};
  EXPECT_EQ(json_text(j), j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace aa
