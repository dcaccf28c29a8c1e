#include <gtest/gtest.h>

#include "core/json.h"

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

TEST(StrictJson, RejectsSyntaxErrorsAndTrailingGarbage) {
  for (const char* bad : {"{", "{\"a\":}", "[1,]", "{} x", "\"\\u12\"", "", "nul"}) {
    auto r = parse_json_strict(bad, "doc");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "input.bad-json") << bad;
  }
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
