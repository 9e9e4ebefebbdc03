/*
 * main first creates and joins a thread that does nothing (before any thread exists, main's
 * accesses are not logged: nobody could race with them), then fills the window of the join's
 * step (1024 plain writes, under --memory=sync) and creates a thread: the creation does not
 * fit, so pthread_create takes a yield step first (native/src/runtime/tsan.zig, beforeCreate),
 * and the creation goes in the next window. main's write of x after the creation and the
 * thread's are not ordered. Expected: data-race, found after the yield, step 3 (lines 29 and 16).
 */
#include <pthread.h>

static int a[1024];
static int x;

static void *work(void *arg) {
  (void)arg;
  x = 1;
  return NULL;
}

static void *nothing(void *arg) { return arg; }

int main(void) {
  pthread_t first;
  pthread_create(&first, NULL, nothing, NULL);
  pthread_join(first, NULL);
  for (int i = 0; i < 1024; i++) a[i] = i;
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  x = 2;
  pthread_join(t, NULL);
  return 0;
}
