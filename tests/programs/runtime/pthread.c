/*
 * Misuse: an OS thread of the program's own (a pthread) calls an isomc function. Actors are
 * contexts of the one thread that called isomc_init, so any other thread is refused at its
 * first call, named after it: "isomc_yield called from a thread that is not an actor". The
 * modes differ in which call and when:
 *   join    actor "spawner" starts a pthread that calls isomc_yield, and joins it
 *   send    the pthread calls isomc_send on a mailbox the spawner made (named isomc_send, not
 *           the isomc_isend it is made of)
 *   assert  the pthread fails an isomc_assert (named isomc_assert)
 *   before  main starts the pthread (isomc_self) before isomc_run, and joins it
 *   after   main starts it (isomc_actor_name) after isomc_run, and joins it
 * Actor "other" takes two steps, so that there is something to interleave. Expected: the same
 * misuse violation in every strategy and run on its own (where it aborts).
 */
#include <pthread.h>
#include <string.h>
#include "isomc.h"

static const char *mode = "join";

static void *thread_main(void *arg) {
  if (strcmp(mode, "send") == 0) {
    int64_t v = 1;
    isomc_send((isomc_mailbox_t)arg, &v, sizeof v);
  } else if (strcmp(mode, "assert") == 0) {
    isomc_assert(arg == (void *)1);
  } else if (strcmp(mode, "before") == 0) {
    (void)isomc_self();
  } else if (strcmp(mode, "after") == 0) {
    (void)isomc_actor_name();
  } else {
    isomc_yield();
  }
  return 0;
}

static void run_thread(void *arg) {
  pthread_t t;
  pthread_create(&t, 0, thread_main, arg);
  pthread_join(t, 0);
}

static void spawner(void *arg) {
  (void)arg;
  isomc_yield();
  if (strcmp(mode, "join") == 0 || strcmp(mode, "send") == 0 || strcmp(mode, "assert") == 0) {
    run_thread(isomc_mailbox("box"));
  }
  isomc_yield();
}

static void other(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) mode = argv[1];
  isomc_actor_create("spawner", spawner, 0);
  isomc_actor_create("other", other, 0);
  if (strcmp(mode, "before") == 0) run_thread(0);
  isomc_run();
  if (strcmp(mode, "after") == 0) run_thread(0);
  return 0;
}
