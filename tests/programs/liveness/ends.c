/* Two actors each take two steps and end, never setting `done`: `F done` fails on the run that
 * ends (its last state repeats forever, as SPIN extends finite runs), `F started` holds (main
 * sets it before isomc_run) and `G F finished` holds (every run ends with finished set). */
#include "isomc.h"

static int started, done, finished;
static int64_t count;

static void worker(void *arg) {
  (void)arg;
  isomc_fetch_add(&count, 1);
  if (isomc_fetch_add(&count, 1) == 3) finished = 1;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("started", &started);
  isomc_prop("done", &done);
  isomc_prop("finished", &finished);
  started = 1;
  isomc_actor_create("w1", worker, 0);
  isomc_actor_create("w2", worker, 0);
  isomc_run();
  return 0;
}
