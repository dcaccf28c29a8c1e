// Vendor libraries loaded at run time (NVML, DCMI): nothing in collect builds against a driver.
//
// Contract: open_library() dlopens `path` (RTLD_NOW | RTLD_LOCAL) and gives a handle that
// dlcloses when the last copy goes, or `code` naming "library" with dlerror's words and `hint`.
// resolve() looks up a required entry point (`code` naming the function when it is missing);
// resolve_optional() leaves `out` null when the library lacks it. text_of() reads a
// NUL-terminated string a library wrote into a buffer of `n` bytes, bounded by the buffer's end.
#pragma once

#include <dlfcn.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/result.h"

namespace aa::collect {

inline Result<std::shared_ptr<void>> open_library(const std::string& path, const char* code,
                                                  const std::string& hint) {
  void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    return make_error(code, "library",
                      "cannot load " + path + ": " + (why ? why : "unknown") + " (" + hint + ")");
  }
  return std::shared_ptr<void>(lib, [](void* h) { ::dlclose(h); });
}

template <typename F>
Status resolve(void* lib, const char* name, F& out, const char* code, const char* what) {
  void* sym = ::dlsym(lib, name);
  if (!sym) return make_error(code, name, std::string("the ") + what + " library has no " + name);
  out = reinterpret_cast<F>(sym);
  return Ok{};
}

template <typename F>
void resolve_optional(void* lib, const char* name, F& out) {
  if (void* sym = ::dlsym(lib, name)) out = reinterpret_cast<F>(sym);
}

template <typename C>
std::string text_of(const C* buf, size_t n) {
  const char* p = reinterpret_cast<const char*>(buf);
  return std::string(p, std::find(p, p + n, '\0'));
}

}  // namespace aa::collect
