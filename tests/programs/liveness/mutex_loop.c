/* Starvation at a mutex taken in a loop: A locks and unlocks m forever, B wants it once.
 * `F b_done` fails without fairness and under weak fairness too: whenever A holds m, B's lock
 * is disabled, so B is not enabled in every state of A's cycle (only strong fairness would
 * make B move). The graph: states (A at lock | at unlock) x (B at lock | done). */
#include "isomc.h"

static isomc_mutex_t m;
static int b_done;

static void greedy(void *arg) {
  (void)arg;
  for (;;) {
    isomc_mutex_lock(m);
    isomc_mutex_unlock(m);
  }
}

static void polite(void *arg) {
  (void)arg;
  isomc_mutex_lock(m);
  b_done = 1;
  isomc_mutex_unlock(m);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  m = isomc_mutex_create();
  isomc_prop("b_done", &b_done);
  isomc_actor_create("A", greedy, 0);
  isomc_actor_create("B", polite, 0);
  isomc_run();
  return 0;
}
