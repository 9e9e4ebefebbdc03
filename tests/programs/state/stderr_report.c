/*
 * What the failing execution wrote on stderr belongs in the report (issue 8, item 14).
 * argv[1]:
 *   assert  (default) main writes "before the actors" to stderr; the actor chooses c in
 *           {0, 1}, writes 25 numbered lines "execution c line i" (fprintf and write(2)), and
 *           fails an assertion when c == 1. The report shows the last 20 lines of execution 1,
 *           none of execution 0's;
 *   init    the actor calls isomc_init a second time: the runtime says so on stderr and exits;
 *   twice   main does, before its first scheduling point: the checker's one line quotes it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "isomc.h"

static int argc_;
static char **argv_;

static void actor(void *arg) {
  (void)arg;
  int c = isomc_random(0, 1);
  for (int i = 0; i < 25; i++) {
    if (i % 2 == 0) {
      fprintf(stderr, "execution %d line %d\n", c, i);
    } else {
      char line[64];
      int n = snprintf(line, sizeof line, "execution %d line %d\n", c, i);
      if (write(2, line, (size_t)n) != n) return;
    }
  }
  isomc_assert_msg(c == 0, "the second execution fails");
}

static void again(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_init(&argc_, argv_);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1 && strcmp(argv[1], "twice") == 0) isomc_init(&argc, argv);
  argc_ = argc;
  argv_ = argv;
  fprintf(stderr, "before the actors\n");
  if (argc > 1 && strcmp(argv[1], "init") == 0) {
    isomc_actor_create("again", again, NULL);
  } else {
    isomc_actor_create("actor", actor, NULL);
  }
  isomc_run();
  return 0;
}
