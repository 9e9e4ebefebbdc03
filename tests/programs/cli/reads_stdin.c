/*
 * CLI fixture: actor "reader" reads the program's standard input. Under the checker stdin is
 * /dev/null, whatever the checker's own stdin: the read returns 0 (end of file) in every
 * execution. Expected verdict: ok; a violation "stdin is not empty" if anything was read.
 */
#include <unistd.h>
#include "isomc.h"

static void reader(void *arg) {
  (void)arg;
  char c;
  ssize_t n = read(0, &c, 1);
  isomc_yield();
  isomc_assert_msg(n == 0, "stdin is not empty");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("reader", reader, 0);
  isomc_run();
  return 0;
}
