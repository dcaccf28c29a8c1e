// The typed values of a result: trust tiers (statuses), identity assurance, device kinds and
// where an identity or product comes from, with the one text of each value.
//
// Contract: the values are held as enums everywhere; their text exists only in one table per
// enum (EnumNames<E>::kNames, constexpr), used by to_string() when a result is serialised
// (EAR claims, JSON and text output, the report) and by from_string() when one is read back (a
// token's claims). A name that is not in the table does not compile where a value is written
// and is nullopt where one is read. Statuses have one order, the declaration order of
// TrustTier: worse() and worst_of() are the only comparison of statuses.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace aa {

// Specialised for each serialised enum: `static constexpr std::array kNames` of
// std::pair<E, const char*>, one entry per value.
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = requires {
  EnumNames<E>::kNames;
};

// The text of `e` ("" only for a value outside its table, which the tests rule out).
template <NamedEnum E>
constexpr const char* to_string(E e) {
  for (const auto& [v, n] : EnumNames<E>::kNames)
    if (v == e) return n;
  return "";
}

// The value named `s`; nullopt when no value has that text.
template <NamedEnum E>
constexpr std::optional<E> from_string(std::string_view s) {
  for (const auto& [v, n] : EnumNames<E>::kNames)
    if (s == n) return v;
  return std::nullopt;
}

// Every value of E, in the table's order.
template <NamedEnum E>
constexpr auto all_values() {
  std::array<E, EnumNames<E>::kNames.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = EnumNames<E>::kNames[i].first;
  return out;
}

// An AR4SI trust tier: the status of an appraisal, a submod or a whole result. Declared from
// best to worst; kNone ("no claim") is below affirming and is what an empty worst starts from.
enum class TrustTier { kNone, kAffirming, kWarning, kContraindicated };

template <>
struct EnumNames<TrustTier> {
  static constexpr std::array kNames = {
      std::pair{TrustTier::kNone, "none"},
      std::pair{TrustTier::kAffirming, "affirming"},
      std::pair{TrustTier::kWarning, "warning"},
      std::pair{TrustTier::kContraindicated, "contraindicated"},
  };
};

// The worse of two tiers (none < affirming < warning < contraindicated).
constexpr TrustTier worse(TrustTier a, TrustTier b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// Whether `a` is strictly better than `b`.
constexpr bool better(TrustTier a, TrustTier b) {
  return static_cast<int>(a) < static_cast<int>(b);
}

// How far a device's identity is vouched for: attested (its own signed evidence, fresh and
// unique) > platform-bound (a trusted fresh TPM quote binds what the host reported) > reported.
// Also where a UEID (attested | reported) or a serial (platform-bound | reported) comes from.
enum class Assurance { kAttested, kPlatformBound, kReported };

template <>
struct EnumNames<Assurance> {
  static constexpr std::array kNames = {
      std::pair{Assurance::kAttested, "attested"},
      std::pair{Assurance::kPlatformBound, "platform-bound"},
      std::pair{Assurance::kReported, "reported"},
  };
};

// What an EAR submod describes.
enum class DeviceKind { kHost, kNvidiaGpu, kNvidiaSwitch, kPciDevice };

template <>
struct EnumNames<DeviceKind> {
  static constexpr std::array kNames = {
      std::pair{DeviceKind::kHost, "host"},
      std::pair{DeviceKind::kNvidiaGpu, "nvidia-gpu"},
      std::pair{DeviceKind::kNvidiaSwitch, "nvidia-switch"},
      std::pair{DeviceKind::kPciDevice, "pci-device"},
  };
};

// Where a device's product (and so its class) comes from: the signed SKU names a registry part;
// the signed SKU is unknown, so only the die is attested and the class is the most controlled
// of that die; the host's PCI IDs; nothing (not an accelerator).
enum class ProductSource { kSignedSku, kDieAttestedProductReported, kReported, kNone };

template <>
struct EnumNames<ProductSource> {
  static constexpr std::array kNames = {
      std::pair{ProductSource::kSignedSku, "signed-sku"},
      std::pair{ProductSource::kDieAttestedProductReported, "die-attested-product-reported"},
      std::pair{ProductSource::kReported, "reported"},
      std::pair{ProductSource::kNone, "none"},
  };
};

}  // namespace aa
