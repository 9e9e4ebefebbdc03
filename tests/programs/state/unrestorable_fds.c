/*
 * Holds a descriptor --restore=memory cannot put back, chosen by argv[1]:
 *   socket  one end of a socket pair (sockets are refused);
 *   half    the read end of a pipe whose write end it closed (the peer is outside);
 *   closed  a pipe that an actor closes: going back to a state where it was open would need
 *           the pipe reopened, which is impossible.
 * tests/state_test.ts expects a clear error naming the descriptor in each case, and the same
 * program checked fine with --restore=replay.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "isomc.h"

static int fds[2];

static void closer(void *arg) {
  (void)arg;
  isomc_yield();
  close(fds[0]);
  close(fds[1]);
}

static void other(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  const char *what = argc > 1 ? argv[1] : "socket";
  if (strcmp(what, "socket") == 0) {
    isomc_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    isomc_actor_create("other", other, NULL);
    isomc_actor_create("another", other, NULL);
  } else if (strcmp(what, "half") == 0) {
    isomc_assert(pipe(fds) == 0);
    close(fds[1]);
    isomc_actor_create("other", other, NULL);
    isomc_actor_create("another", other, NULL);
  } else {
    isomc_assert(pipe(fds) == 0);
    isomc_actor_create("closer", closer, NULL);
    isomc_actor_create("other", other, NULL);
  }
  isomc_run();
  return 0;
}
