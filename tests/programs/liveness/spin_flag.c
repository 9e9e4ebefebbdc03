/* A spins on a flag that B sets: `F seen` (A saw the flag) fails without fairness (B may never
 * move while A spins) and holds under weak fairness (B is enabled all along that cycle). */
#include "isomc.h"

static int64_t flag;
static int seen;

static void spinner(void *arg) {
  (void)arg;
  while (isomc_load(&flag) == 0) isomc_yield();
  seen = 1;
  isomc_yield();
}

static void setter(void *arg) {
  (void)arg;
  isomc_store(&flag, 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("seen", &seen);
  isomc_actor_create("spinner", spinner, 0);
  isomc_actor_create("setter", setter, 0);
  isomc_run();
  return 0;
}
