// Compiled as a source of the appraisers layer in nvidia/: what the layer may use (its own
// headers and those of every layer below it) compiles; the failing probes fail for their one
// include, not because the probe set-up is broken.
#include "appraise.h"
#include "bundle/bundle.h"
#include "core/init.h"
#include "nvidia/appraise.h"
#include "registry/registry.h"
#include "results/ear.h"
#include "rim/rim_source.h"
