// The output model's pieces (core/output_json.h): where a finding's subject and field come from.
#include <gtest/gtest.h>

#include "core/output_json.h"

namespace aa {
namespace {

TEST(OutputJson, SplitPointerNamesSubjectAndField) {
  auto p = split_pointer("bundle#/nonce", "host");
  EXPECT_EQ(p.subject, "bundle");
  EXPECT_EQ(p.field, "/nonce");
  p = split_pointer("/devices/0/vendor_id", "inv.json");
  EXPECT_EQ(p.subject, "inv.json");
  EXPECT_EQ(p.field, "/devices/0/vendor_id");
  p = split_pointer("0000:18:00.0", "host");
  EXPECT_EQ(p.subject, "0000:18:00.0");
  EXPECT_EQ(p.field, "");
  p = split_pointer("GPU-0 driver RIM /SoftwareIdentity", "x");
  EXPECT_EQ(p.subject, "GPU-0");
  EXPECT_EQ(p.field, "driver RIM /SoftwareIdentity");
  p = split_pointer("EK certificate CN=Infineon", "x");
  EXPECT_EQ(p.subject, "EK certificate CN=Infineon");
  EXPECT_EQ(p.field, "");
  p = split_pointer("", "host");
  EXPECT_EQ(p.subject, "host");
  EXPECT_EQ(p.field, "");
}

TEST(OutputJson, FindingHasTheFiveMembers) {
  Json f = finding_json(
      Finding{"tpm.nonce-mismatch", "differs", "quote.msg#extraData", Severity::kWarn}, "host");
  EXPECT_EQ(f, (Json{{"code", "tpm.nonce-mismatch"},
                     {"severity", "warn"},
                     {"subject", "quote.msg"},
                     {"field", "extraData"},
                     {"message", "differs"}}));
  EXPECT_EQ(document("identify", 2)["schema"], "accel-attest/identify/v2");
  EXPECT_EQ(check_json("nonce", "pass"), (Json{{"name", "nonce"}, {"status", "pass"}}));
  EXPECT_EQ(error_json(make_error("input.bad-nonce", "--nonce", "m")),
            (Json{{"code", "input.bad-nonce"}, {"field", "--nonce"}, {"message", "m"}}));
}

}  // namespace
}  // namespace aa
