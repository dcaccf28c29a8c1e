#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/resource.h>
#include <sys/stat.h>

#include "core/file_out.h"
#include "temp_tree.h"

namespace aa {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t entries(const std::filesystem::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Lowers RLIMIT_FSIZE for the scope, so that a write past `bytes` fails (EFBIG) the way a full
// disk does; SIGXFSZ is ignored meanwhile so that the process survives it.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit l = old_;
    l.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &l);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace

TEST(FileOut, WritesAndReplaces) {
  test::TempTree t;
  const auto p = std::filesystem::path(t.path()) / "out.jwt";
  ASSERT_TRUE(write_file_atomic(p.string(), "first\n").ok());
  EXPECT_EQ(slurp(p), "first\n");
  ASSERT_TRUE(write_file_atomic(p.string(), "second\n").ok());
  EXPECT_EQ(slurp(p), "second\n");
  EXPECT_EQ(entries(std::filesystem::path(t.path())), 1u) << "no temporary file is left behind";
}

TEST(FileOut, FailedWriteLeavesTheOldFileIntact) {
  test::TempTree t;
  const auto p = std::filesystem::path(t.path()) / "report.html";
  ASSERT_TRUE(write_file_atomic(p.string(), "old report\n").ok());
  const std::string big(64 * 1024, 'x');
  Status s = Ok{};
  {
    FileSizeLimit limit(4096);
    s = write_file_atomic(p.string(), big);
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "output.unwritable");
  EXPECT_EQ(s.error().field, p.string());
  EXPECT_EQ(slurp(p), "old report\n");
  EXPECT_EQ(entries(std::filesystem::path(t.path())), 1u)
      << "the partial temporary file is removed";
}

TEST(FileOut, PrivateFilesHaveTheirModeFromCreation) {
  test::TempTree t;
  const auto p = std::filesystem::path(t.path()) / "signing-key.pem";
  ASSERT_TRUE(write_file_atomic(p.string(), "secret", 0600).ok());
  EXPECT_EQ(mode_of(p), 0600u);
  // Replacing a public file with a private one does not inherit the old mode.
  const auto q = std::filesystem::path(t.path()) / "was-public";
  ASSERT_TRUE(write_file_atomic(q.string(), "x", 0644).ok());
  ASSERT_TRUE(write_file_atomic(q.string(), "secret", 0600).ok());
  EXPECT_EQ(mode_of(q), 0600u);
}

TEST(FileOut, NeverOverwriteKeepsTheExistingFile) {
  test::TempTree t;
  const auto p = std::filesystem::path(t.path()) / "signing-key.pem";
  ASSERT_TRUE(write_file_atomic(p.string(), "key one", 0600, Overwrite::kNever).ok());
  auto s = write_file_atomic(p.string(), "key two", 0600, Overwrite::kNever);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "output.exists");
  EXPECT_EQ(slurp(p), "key one");
  EXPECT_EQ(entries(std::filesystem::path(t.path())), 1u);
}

TEST(FileOut, CheckWritableNamesTheProblem) {
  test::TempTree t;
  EXPECT_TRUE(check_writable((std::filesystem::path(t.path()) / "new.jwt").string(), "--out").ok());
  auto no_dir =
      check_writable((std::filesystem::path(t.path()) / "missing" / "x.jwt").string(), "--out");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().code, "output.unwritable");
  EXPECT_EQ(no_dir.error().field,
            "--out " + (std::filesystem::path(t.path()) / "missing" / "x.jwt").string());
  auto is_dir = check_writable(std::filesystem::path(t.path()).string(), "--report");
  ASSERT_FALSE(is_dir.ok());
  EXPECT_EQ(is_dir.error().code, "output.unwritable");
  EXPECT_NE(is_dir.error().message.find("directory"), std::string::npos);
  // The writer refuses the same cases without creating anything.
  EXPECT_EQ(write_file_atomic(std::filesystem::path(t.path()).string(), "x").error().code,
            "output.unwritable");
  EXPECT_EQ(write_file_atomic((std::filesystem::path(t.path()) / "missing" / "x").string(), "x")
                .error()
                .code,
            "output.unwritable");
  EXPECT_EQ(entries(std::filesystem::path(t.path())), 0u);
}

}  // namespace aa
