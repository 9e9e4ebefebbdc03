/* isomc_prop used against its rules, one way per argument: each is an API misuse. */
#include <string.h>
#include "isomc.h"

static int x, y;

static void late(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_prop("late", &y); /* after the first scheduling point */
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  const char *how = argc > 1 ? argv[1] : "";
  if (strcmp(how, "name") == 0) isomc_prop("in cs", &x);
  if (strcmp(how, "keyword") == 0) isomc_prop("F", &x);
  if (strcmp(how, "twice") == 0) {
    isomc_prop("x", &x);
    isomc_prop("x", &y);
  }
  if (strcmp(how, "null") == 0) isomc_prop("x", 0);
  if (strcmp(how, "unaligned") == 0) isomc_prop("x", (const int *)((char *)&x + 1));
  isomc_prop("ok", &x);
  isomc_actor_create("late", late, 0);
  isomc_run();
  return 0;
}
