// Compiled as a source of the pipeline layer in pipeline/: the results layer is above the
// pipeline, so its headers are not in the pipeline's include root.
#include "pipeline/pipeline.h"
#include "results/ear_writer.h"
