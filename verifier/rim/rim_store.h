// A local directory of RIMs named <RIM_ID>.xml: the offline replacement for NVIDIA's RIM
// service.
//
// Contract: read() returns the file's bytes, nullopt when the store has no such RIM, or an
// error when the file exists but cannot be read. An ID that is not made of letters, digits,
// '_', '.' and '-' (or starts with '.') is never looked up: it comes from evidence and must not
// name a path (rim.bad-id).
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace aa::rim {

class RimStore {
 public:
  explicit RimStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  Result<std::optional<std::string>> read(const std::string& id) const;

 private:
  std::string dir_;
};

}  // namespace aa::rim
