/*
 * A pthread function isomc does not model yet (cancelling a thread, sending it a signal).
 * Expected: `isomc cc` refuses it with one line naming pthread_cancel (and pthread_kill),
 * exit 2, and leaves no binary.
 */
#include <pthread.h>
#include <signal.h>

static void *idle(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, idle, 0);
  pthread_cancel(t);
  pthread_kill(t, 0);
  return 0;
}
