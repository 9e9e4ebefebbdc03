/*
 * Two executions with multi-megabyte outputs of their own (issue 8, item 18). The actor
 * prints argv[1] lines (default 40000, about 1.5 MB) common to both executions, then chooses
 * c in {0, 1} and prints as many lines of c's; the rest of main prints "end c". The common
 * part is still partly in stdout's buffer (program memory) when the search comes back to the
 * choice: each execution's output must be the common part, its own part and its end, whole,
 * once — tests/output_test.ts rebuilds it byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

static int lines = 40000;
static int c = -1;

static void printer(void *arg) {
  (void)arg;
  for (int i = 0; i < lines; i++) printf("common line %06d of the output of both executions\n", i);
  c = isomc_random(0, 1);
  for (int i = 0; i < lines; i++) printf("execution %d line %06d, its own\n", c, i);
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) lines = atoi(argv[1]);
  isomc_actor_create("printer", printer, NULL);
  isomc_run();
  printf("end %d\n", c);
  return 0;
}
