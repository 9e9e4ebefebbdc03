/*
 * Condition variable, a signal with nobody waiting is lost. Actor "w" locks m, waits on c and
 * unlocks; actor "s" signals c once, without a predicate. (Mode "flag" fixes the program the
 * classic way, see below.)
 *
 * cond_wait is two transitions: W (releases m, joins the waiters) and K (takes m back; enabled
 * once signalled and m is free). Executions (reduction none), w = L W K U, s = S:
 *   DFS tries w before s at every point.
 *   1. L W S K U: the signal finds w waiting; ok.
 *   2. L S W: the signal came before the wait and is lost; w's K is never enabled and s has
 *      finished: deadlock. The search stops there: 2 executions, verdict violation.
 *
 * Mode "flag": "s" sets a flag under m before signalling, "w" waits only while the flag is 0.
 * w = L [W K if the flag is 0] U, s = L' S U'.
 *   - L first: the flag is 0, w waits: L W, then s runs alone: L' S U' (K stays disabled
 *     until U' frees m), then K U: 1 execution.
 *   - L' first: S U' (the signal is lost, harmlessly), then L sees the flag and U: 1 execution.
 *   2 executions, verdict ok.
 */
#include <string.h>
#include "isomc.h"

static isomc_mutex_t m;
static isomc_cond_t c;
static int use_flag;
static int flag;

static void waiter(void *arg) {
  (void)arg;
  isomc_mutex_lock(m);
  if (use_flag) {
    while (!flag) isomc_cond_wait(c, m);
  } else {
    isomc_cond_wait(c, m);
  }
  isomc_mutex_unlock(m);
}

static void signaller(void *arg) {
  (void)arg;
  if (use_flag) {
    isomc_mutex_lock(m);
    flag = 1;
    isomc_cond_signal(c);
    isomc_mutex_unlock(m);
  } else {
    isomc_cond_signal(c);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  use_flag = argc > 1 && strcmp(argv[1], "flag") == 0;
  m = isomc_mutex_create();
  c = isomc_cond_create();
  isomc_actor_create("w", waiter, 0);
  isomc_actor_create("s", signaller, 0);
  isomc_run();
  return 0;
}
