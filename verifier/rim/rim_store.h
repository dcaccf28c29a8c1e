// A local directory of RIMs named <RIM_ID>.xml: the offline replacement for NVIDIA's RIM
// service, as a rim::RimSource (rim/rim_source.h). It reads files, so it lives in the store
// layer (docs/architecture.md), never in an appraiser.
//
// Contract: find() returns the file's bytes, nullopt when the store has no such RIM, or an
// error when the file exists but cannot be read. An ID that is not made of letters, digits,
// '_', '.' and '-' (or starts with '.') is never looked up: it comes from evidence and must not
// name a path (rim.bad-id). name() is the directory, origin(id) "<dir>/<id>.xml". Const and
// safe to call from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "rim/rim_source.h"

namespace aa::rim {

// Whether `id` may name a file of the store (the rule above).
bool is_storable_rim_id(std::string_view id);

class RimStore final : public RimSource {
 public:
  explicit RimStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  Result<std::optional<std::string>> find(const std::string& id) const override;
  std::string name() const override { return dir_; }
  std::string origin(const std::string& id) const override { return dir_ + "/" + id + ".xml"; }

 private:
  std::string dir_;
};

}  // namespace aa::rim
