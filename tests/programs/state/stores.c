/*
 * Three actors, each storing three times to a variable of its own. Under a stateful search
 * with --visited, the states are the combinations of how far each actor got: 4^3 = 64.
 */
#include "isomc.h"

static int64_t vars[3];

static void writer(void *arg) {
  int64_t *v = arg;
  for (int i = 1; i <= 3; i++) isomc_store(v, i);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", writer, &vars[0]);
  isomc_actor_create("b", writer, &vars[1]);
  isomc_actor_create("c", writer, &vars[2]);
  isomc_run();
  return 0;
}
