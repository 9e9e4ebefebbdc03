/*
 * Fault fixture: actor "parent" starts `sleep SECONDS` (argv[1]; the tests pass a value no
 * other process uses, such as 778.123) between two visible steps, and leaves it running;
 * actor "other" yields once. With argv[2] = "session" the child first leaves the program's
 * process group and session (setsid), as a daemon would. Expected verdict: ok — and once the
 * checker has ended, under every --restore and after `isomc replay`, no such sleep is left.
 * Built with -DSPIN, the parent then spins forever (the checker is stopped by a signal).
 */
#include <string.h>
#include <unistd.h>
#include "isomc.h"

static const char *seconds = "778";
static volatile int forever = 1;
static int own_session = 0;

static void parent(void *arg) {
  (void)arg;
  isomc_yield();
  if (fork() == 0) {
    if (own_session) setsid();
    execlp("sleep", "sleep", seconds, (char *)0);
    _exit(127);
  }
#ifdef SPIN
  while (forever) {
  }
#endif
  isomc_yield();
}

static void other(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) seconds = argv[1];
  if (argc > 2) own_session = strcmp(argv[2], "session") == 0;
  isomc_actor_create("parent", parent, 0);
  isomc_actor_create("other", other, 0);
  isomc_run();
  return 0;
}
