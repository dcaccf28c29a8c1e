// An LD_PRELOAD shim for the CLI tests: any attempt to open a socket or resolve a name aborts
// the process with a message, so a test run proves that a command never touches the network.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace {

[[noreturn]] void refuse(const char* what) {
  const char* msg = "no_network: the command tried to use the network: ";
  (void)!write(2, msg, std::strlen(msg));
  (void)!write(2, what, std::strlen(what));
  (void)!write(2, "\n", 1);
  std::abort();
}

}  // namespace

extern "C" {

int socket(int, int, int) {
  refuse("socket()");
}
int connect(int, const struct sockaddr*, socklen_t) {
  refuse("connect()");
}
int getaddrinfo(const char*, const char*, const void*, void**) {
  refuse("getaddrinfo()");
}

}  // extern "C"
