// Where the NVIDIA appraiser gets RIMs: an interface, so that the appraiser reads no file
// itself. rim/rim_store.h is the directory-backed source (the store layer); MemoryRimSource
// below holds the RIMs in memory, for a program that embeds the verifier and has them already.
//
// Contract of every RimSource:
//   - find(id) returns the RIM's bytes, nullopt when the source has no RIM of that ID, or an
//     error (with its stable code, docs/findings.md) when it has one that cannot be delivered
//     or when `id` is not one it could hold (rim.bad-id);
//   - name() is what messages call the source ("the RIM store <name>"), origin(id) where the
//     RIM of that ID comes from (a finding's pointer);
//   - all three are const and safe to call from several threads at once; a source does not
//     change while an appraiser uses it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/result.h"

namespace aa::rim {

class RimSource {
 public:
  virtual ~RimSource() = default;

  virtual Result<std::optional<std::string>> find(const std::string& rim_id) const = 0;
  virtual std::string name() const = 0;
  virtual std::string origin(const std::string& rim_id) const = 0;
};

// RIMs by ID, held in memory: find() never fails; origin(id) is "<name>/<id>.xml".
class MemoryRimSource final : public RimSource {
 public:
  explicit MemoryRimSource(std::string name = "(memory)") : name_(std::move(name)) {}

  // Adds (or replaces) the RIM of that ID. Not to be called while an appraiser uses the source.
  void add(const std::string& rim_id, std::string body) { rims_[rim_id] = std::move(body); }

  Result<std::optional<std::string>> find(const std::string& rim_id) const override;
  std::string name() const override { return name_; }
  std::string origin(const std::string& rim_id) const override;

 private:
  std::string name_;
  std::map<std::string, std::string> rims_;
};

}  // namespace aa::rim
