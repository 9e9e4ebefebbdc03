/*
 * CLI fixture: a program that is not deterministic. Its first run leaves a file "ran-once" in
 * the current directory and creates two actors; later runs create one. Under
 * --restore=replay --reduction=none the second execution restarts the program and asks for
 * actor 2, which is not there: the checker stops with an internal error (exit 3), the
 * program "did not repeat an earlier execution".
 */
#include <fcntl.h>
#include <unistd.h>
#include "isomc.h"

static void once(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int first = access("ran-once", F_OK) != 0;
  if (first) close(open("ran-once", O_CREAT | O_WRONLY, 0644));
  isomc_actor_create("a", once, 0);
  if (first) isomc_actor_create("b", once, 0);
  isomc_run();
  return 0;
}
