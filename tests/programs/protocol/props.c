/* Protocol fixture: two propositions registered before isomc_run (PROP frames before the first
 * STATE), and an actor that passes isomc_progress() in its first and third transitions: the
 * progress flag's address comes once (a PROP frame of kind progress, in the first RUN's answer),
 * and the flag is set in the states those transitions lead to, clear in the others. */
#include "isomc.h"

static int p = 1, q;

static void a(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_progress();
  isomc_yield();
  isomc_yield();
  isomc_progress();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("p", &p);
  isomc_prop("q", &q);
  isomc_actor_create("a", a, 0);
  isomc_run();
  return 0;
}
