// Compiled as a source of the parsers layer in bundle/ (tests/CMakeLists.txt, layer_check_*):
// a parser may not see an appraiser's header, so this must fail with "No such file".
#include "bundle/bundle.h"
#include "nvidia/appraise.h"
