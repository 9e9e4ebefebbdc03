/*
 * Protocol fixture: executions that end otherwise than every actor returning. Actor "a" yields
 * once, then does what argv[1] says; actor "b" yields once.
 *   crash            a writes through a null pointer: CRASH (SIGSEGV, actor a, step 1)
 *   exit             a calls exit(4) while b is unfinished: EXITING (status 4, actor a)
 *   abort-after-run  both return, then main aborts after isomc_run: under a stateful WELCOME
 *                    the copy that runs the rest of main sends CRASH (SIGABRT, actor 0), the
 *                    process that stays sends TAIL (signaled, 6)
 *   ok               both return and main too
 * tests/protocol_test.ts plays the checker's side by hand.
 */
#include <stdlib.h>
#include <string.h>
#include "isomc.h"

static int *volatile nowhere;

static void a(void *arg) {
  const char *mode = arg;
  isomc_yield();
  if (strcmp(mode, "crash") == 0) *nowhere = 1;
  if (strcmp(mode, "exit") == 0) exit(4);
}

static void b(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc != 2) return 2;
  isomc_actor_create("a", a, argv[1]);
  isomc_actor_create("b", b, 0);
  isomc_run();
  if (strcmp(argv[1], "abort-after-run") == 0) abort();
  return 0;
}
