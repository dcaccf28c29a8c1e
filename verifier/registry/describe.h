// Human and JSON views of registry parts: `registry list`, `show` and `classify`.
//
// Contract: describe_classification() prints the worked computation (every precision's
// peak x bits, the maximum, the area and density, each 3A090 paragraph's test, the deciding
// prong, the alternative readings and the flags with their sources) from classify(); nothing
// here computes a class itself.
#pragma once

#include <string>

#include "core/json.h"
#include "registry/classify.h"
#include "registry/registry.h"

namespace aa {

std::string describe_part(const Part& part, const Registry& registry);
Json part_to_json(const Part& part);
std::string describe_classification(const Part& part, const Classification& c);
Json classification_to_json(const Part& part, const Classification& c);

// Number formatting shared by every view: integers grouped ("15,831"), ranges "lo-hi",
// unknown "?"; JSON: a number, {"min","max"} or null.
std::string format_interval(const std::optional<Interval>& v, int decimals);
Json interval_json(const std::optional<Interval>& v);
Json flag_json(const Flag& f);

}  // namespace aa
