/*
 * main fills the window of its first run (1024 plain writes, under --memory=sync) and then
 * creates a thread: the creation does not fit, so pthread_create takes a yield step first
 * (native/src/runtime/tsan.zig, beforeCreate), and the creation goes in the next window. main's
 * write of x after the creation and the thread's are not ordered. Expected: data-race, found
 * after that one step (line 23 and line 15).
 */
#include <pthread.h>

static int a[1024];
static int x;

static void *work(void *arg) {
  (void)arg;
  x = 1;
  return NULL;
}

int main(void) {
  for (int i = 0; i < 1024; i++) a[i] = i;
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  x = 2;
  pthread_join(t, NULL);
  return 0;
}
