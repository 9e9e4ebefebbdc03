/* Two polite actors each need both forks: each takes its own, tries the other's, and on
 * failure puts its own back and tries again. They can go on forever without either eating: a
 * livelock, found by --non-progress as a cycle that passes no isomc_progress() marker (each
 * actor calls it when it eats). With -DPROGRESS_ON_RETRY every retry is marked too, and no
 * cycle lacks a marker. */
#include "isomc.h"

static isomc_mutex_t forks[2];

static void diner(void *arg) {
  int me = (int)(intptr_t)arg;
  isomc_mutex_t mine = forks[me], other = forks[1 - me];
  for (;;) {
    isomc_mutex_lock(mine);
    if (isomc_mutex_trylock(other)) {
      isomc_progress(); /* eating */
      isomc_mutex_unlock(other);
      isomc_mutex_unlock(mine);
      return;
    }
#ifdef PROGRESS_ON_RETRY
    isomc_progress();
#endif
    isomc_mutex_unlock(mine);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  forks[0] = isomc_mutex_create();
  forks[1] = isomc_mutex_create();
  isomc_actor_create("left", diner, (void *)0);
  isomc_actor_create("right", diner, (void *)1);
  isomc_run();
  return 0;
}
