/* C11 <threads.h>, which isomc does not model: the program imports no pthread function, yet
 * `isomc check --preload` runs it and stops at its first thrd_create, naming it (exit 2). */
#include <threads.h>

static int work(void *arg) {
  (void)arg;
  return 0;
}

int main(void) {
  thrd_t t;
  if (thrd_create(&t, work, NULL) != thrd_success) return 1;
  thrd_join(t, NULL);
  return 0;
}
