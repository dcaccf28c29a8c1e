// Compiled as a source of the appraisers layer in nvidia/: the directory-backed RIM store reads
// files, so an appraiser may not see it (RIMs come through rim/rim_source.h).
#include "nvidia/appraise.h"
#include "rim/rim_store.h"
