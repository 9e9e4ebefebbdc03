// Linked from several inputs: this file, an archive given by -l, with -I, -D and -lm. The
// error is reachable only when -DBASE is not 40; a nondet bool gives 2 executions.
#include <math.h>
#include "answer.h"
extern void reach_error(void);
extern _Bool __VERIFIER_nondet_bool(void);

int main(void) {
  int a = answer() + (__VERIFIER_nondet_bool() ? 0 : 0);
  if (a != 42 || sqrt(16.0) != 4.0) reach_error();
  return 0;
}
