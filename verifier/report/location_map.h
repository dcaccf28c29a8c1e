// An SVG map of a location verdict: country outlines, landmarks, their distance caps, for the
// audit report. Self-contained (inline SVG, no tiles, no script).
//
// Contract: svg_map() frames the caps (with a margin), projects equirectangularly around the
// frame's middle latitude, draws every country whose outline enters the frame (restricted ones
// shaded red, allowed ones green, vertices outside the frame clamped to it and vertices closer
// than a pixel dropped), each cap as a geodesic circle (72 points, GeographicLib) and each
// landmark as a labelled dot; with two caps or more, the feasible region (the cells of
// location::feasible_cells, which cover the caps' intersection) shaded darker.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "location/boundaries.h"
#include "location/verdict.h"

namespace aa {

std::string svg_map(const std::vector<location::Cap>& caps, const location::Boundaries& b,
                    const std::set<std::string>& restricted, const std::set<std::string>& allowed,
                    int width = 900);

}  // namespace aa
