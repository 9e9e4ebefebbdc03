/*
 * isomc cc with -fsanitize=undefined (UBSan works with the runtime; ASan does not): actor
 * "adder" adds 1 to INT_MAX after its first step, a signed overflow. Built with
 * -fsanitize=undefined, the program run on its own stops at the overflow with UBSan's message
 * and SIGABRT, and isomc check reports a crash in adder; built without it, the addition wraps
 * and the program ends normally (exit 0).
 */
#include <limits.h>
#include "isomc.h"

static int top = INT_MAX;

static void adder(void *arg) {
  isomc_yield();
  int v = top;
  v += (int)(long)arg + 1;
  isomc_assert(v != 0);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("adder", adder, 0);
  isomc_run();
  return 0;
}
