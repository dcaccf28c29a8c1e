// Compiled as a source of the parsers layer in nvidia/, next to where nvidia/appraise.h lives in
// the source tree: a quote include relative to the including file must not find it either.
#include "appraise.h"
#include "nvidia/opaque.h"
