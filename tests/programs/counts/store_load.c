/*
 * Issue #2's third exact count: actor A stores x = 1 then y = 1, actor B loads y then x. The
 * interleavings of two sequences of two steps: 4!/(2!2!) = 6 executions, each 4 steps deep.
 * Shared variables are sequentially consistent: B seeing y == 1 implies it then sees x == 1,
 * which B checks (the message-passing litmus test).
 * Expected verdict: ok, 6 executions with --reduction=none.
 */
#include "isomc.h"

static int64_t x, y;

static void writer(void *arg) {
  (void)arg;
  isomc_store(&x, 1);
  isomc_store(&y, 1);
}

static void reader(void *arg) {
  (void)arg;
  int64_t ry = isomc_load(&y);
  int64_t rx = isomc_load(&x);
  isomc_assert_msg(ry == 0 || rx == 1, "saw y == 1 but x == 0");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("A", writer, 0);
  isomc_actor_create("B", reader, 0);
  isomc_run();
  return 0;
}
