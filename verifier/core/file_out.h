// Writing output files so that a failure or a kill never leaves half a file, and a private key
// is never readable by others, not even for a moment.
//
// Contract: write_file_atomic() writes the whole body to a new temporary file in the target's
// directory (created with open(O_CREAT | O_EXCL, mode), so the mode holds from the first byte),
// fsyncs it, then renames it over the target (or, with Overwrite::kNever, links it to the target
// name, which fails if the name exists) and fsyncs the directory. On any failure the temporary
// file is removed and the target is untouched. A target that already exists and is not a
// regular file (a terminal, /dev/stdout, a pipe) is written in place, since it cannot be
// replaced. Errors: output.unwritable (the directory is missing or not writable, the target is
// a directory, a write failed) and output.exists (Overwrite::kNever and the target exists), each
// naming the path. None throws.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace aa {

enum class Overwrite { kReplace, kNever };

// Checks what write_file_atomic() needs, without writing: the directory exists and is writable
// and the target is not a directory. `what` (an option such as "--out") prefixes the field.
Status check_writable(const std::string& path, std::string_view what = {});

Status write_file_atomic(const std::string& path, std::string_view body, mode_t mode = 0644,
                         Overwrite overwrite = Overwrite::kReplace);

}  // namespace aa
