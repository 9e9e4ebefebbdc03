/*
 * Shared variables as visible steps.
 * Mode "fetch_add": three actors each fetch_add(&x, 1) once and set the bit of the old value
 * they got. Executions (reduction none): one transition each, 3! = 6 executions; main checks
 * x == 3 and that the old values were exactly 0, 1, 2. Verdict ok.
 * Mode "cas": two actors increment x with a CAS loop (load, then cas(x, seen, seen + 1),
 * again while the cas fails). a = La Ca, b = Lb Cb; a cas fails only when the other actor's
 * cas came between its load and its cas, and then the failed actor, alone, does one more
 * load and cas that succeed: a retry adds one forced continuation, never a new branch. So
 * there is one execution per interleaving of La Ca with Lb Cb: C(4,2) = 6. Main checks
 * x == 2. Verdict ok.
 * Mode "racy": the same increments with load then store: an update is lost when both loads
 * come before both stores. DFS (a before b at each point) runs La Sa Lb Sb (x == 2), then
 * La Lb Sa Sb (x == 1): assertion violation in main, 2 executions.
 */
#include <string.h>
#include "isomc.h"

static int64_t x;
static int64_t seen_mask;
static const char *mode = "fetch_add";

static void incrementer(void *arg) {
  (void)arg;
  if (strcmp(mode, "fetch_add") == 0) {
    int64_t old = isomc_fetch_add(&x, 1);
    seen_mask |= (int64_t)1 << old;
  } else if (strcmp(mode, "cas") == 0) {
    int64_t seen;
    do {
      seen = isomc_load(&x);
    } while (!isomc_cas(&x, seen, seen + 1));
  } else {
    int64_t seen = isomc_load(&x);
    isomc_store(&x, seen + 1);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) mode = argv[1];
  int n = strcmp(mode, "fetch_add") == 0 ? 3 : 2;
  static const char *names[] = {"a", "b", "c"};
  for (int i = 0; i < n; i++) isomc_actor_create(names[i], incrementer, 0);
  isomc_run();
  isomc_assert_msg(x == n, "an increment was lost");
  if (n == 3) isomc_assert(seen_mask == 7);
  return 0;
}
