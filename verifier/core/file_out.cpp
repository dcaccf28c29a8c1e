#include "core/file_out.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace aa {

namespace {

// Closes a file descriptor on every path out.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() { close(); }
  int get() const { return fd_; }
  // Closes now; false if close reported an error (a deferred write error on some filesystems).
  bool close() {
    if (fd_ < 0) return true;
    const int r = ::close(fd_);
    fd_ = -1;
    return r == 0;
  }

 private:
  int fd_;
};

// Removes the temporary file unless released (after the rename or link took it).
class TempGuard {
 public:
  explicit TempGuard(std::string path) : path_(std::move(path)) {}
  TempGuard(const TempGuard&) = delete;
  TempGuard& operator=(const TempGuard&) = delete;
  ~TempGuard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

std::string directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

Error unwritable(const std::string& field, const std::string& why) {
  return make_error("output.unwritable", field, why);
}

std::string errno_text(int e) {
  return std::strerror(e);
}

bool write_all(int fd, std::string_view body) {
  while (!body.empty()) {
    const ssize_t n = ::write(fd, body.data(), body.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    body.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// A target that exists and cannot be replaced by a rename: write it in place.
Status write_in_place(const std::string& path, std::string_view body) {
  FdGuard fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (fd.get() < 0) return unwritable(path, "cannot open for writing: " + errno_text(errno));
  if (!write_all(fd.get(), body)) return unwritable(path, "write failed: " + errno_text(errno));
  if (!fd.close()) return unwritable(path, "write failed: " + errno_text(errno));
  return Ok{};
}

}  // namespace

Status check_writable(const std::string& path, std::string_view what) {
  const std::string field = what.empty() ? path : std::string(what) + " " + path;
  if (path.empty()) return unwritable(std::string(what), "no file name given");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return unwritable(field, "is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) {
      if (::access(path.c_str(), W_OK) != 0) return unwritable(field, "not writable");
      return Ok{};
    }
  }
  const std::string dir = directory_of(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return unwritable(field, "the directory " + dir + " does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return unwritable(field, "the directory " + dir + " is not writable");
  }
  return Ok{};
}

Status write_file_atomic(const std::string& path, std::string_view body, mode_t mode,
                         Overwrite overwrite) {
  struct stat st {};
  const bool exists = ::lstat(path.c_str(), &st) == 0;
  if (exists && overwrite == Overwrite::kNever) {
    return make_error("output.exists", path, "already exists; not overwritten");
  }
  if (exists && ::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return unwritable(path, "is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) return write_in_place(path, body);
  }
  AA_CHECK(check_writable(path));
  const std::filesystem::path target(path);
  const std::string dir = directory_of(path);
  std::random_device rd;
  std::string tmp;
  int raw = -1;
  for (int attempt = 0; attempt < 100 && raw < 0; ++attempt) {
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".tmp-%08x%08x", rd(), rd());
    tmp = (std::filesystem::path(dir) / ("." + target.filename().string() + suffix)).string();
    raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (raw < 0 && errno != EEXIST) {
      return unwritable(path, "cannot create a file in " + dir + ": " + errno_text(errno));
    }
  }
  if (raw < 0) return unwritable(path, "cannot create a temporary file in " + dir);
  FdGuard fd(raw);
  TempGuard guard(tmp);
  if (!write_all(fd.get(), body)) return unwritable(path, "write failed: " + errno_text(errno));
  if (::fsync(fd.get()) != 0) return unwritable(path, "fsync failed: " + errno_text(errno));
  if (!fd.close()) return unwritable(path, "write failed: " + errno_text(errno));
  if (overwrite == Overwrite::kNever) {
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST)
        return make_error("output.exists", path, "already exists; not overwritten");
      return unwritable(path, "cannot create: " + errno_text(errno));
    }
    // guard unlinks the temporary name; the target keeps the data.
  } else {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return unwritable(path, "cannot replace: " + errno_text(errno));
    }
    guard.release();
  }
  FdGuard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());  // best effort: some filesystems refuse fsync on dirs
  return Ok{};
}

}  // namespace aa
