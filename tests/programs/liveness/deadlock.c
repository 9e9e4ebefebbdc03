/* Two actors take two mutexes in opposite orders: some runs deadlock. A liveness search of
 * `G started` (main sets started before isomc_run, and nothing clears it) reports the deadlock as
 * a safety search would; with --no-deadlock a deadlocked run is one more run that ends, and
 * `G started` holds, while `F both` fails (a deadlocked run ends without both actors through). */
#include "isomc.h"

static isomc_mutex_t m1, m2;
static int started, both;
static int64_t through;

static void forward(void *arg) {
  (void)arg;
  isomc_mutex_lock(m1);
  isomc_mutex_lock(m2);
  isomc_mutex_unlock(m2);
  isomc_mutex_unlock(m1);
  if (isomc_fetch_add(&through, 1) == 1) both = 1;
}

static void backward(void *arg) {
  (void)arg;
  isomc_mutex_lock(m2);
  isomc_mutex_lock(m1);
  isomc_mutex_unlock(m1);
  isomc_mutex_unlock(m2);
  if (isomc_fetch_add(&through, 1) == 1) both = 1;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  m1 = isomc_mutex_create();
  m2 = isomc_mutex_create();
  isomc_prop("started", &started);
  isomc_prop("both", &both);
  started = 1;
  isomc_actor_create("forward", forward, 0);
  isomc_actor_create("backward", backward, 0);
  isomc_run();
  return 0;
}
