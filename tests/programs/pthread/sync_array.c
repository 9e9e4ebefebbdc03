/*
 * A thread yields, then fills an array of N ints (N distinct addresses) before its next step (its
 * end), under --memory=sync; main reads it after the join. The window of one step holds 1024
 * events (native/src/runtime/window.zig): an access that does not fit is a visible step
 * instead, which ends the window, so N = 1024 takes no more steps than N = 1, and N = 1025 one
 * more. Expected: ok, whatever N.
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>

#ifndef N
#define N 1024
#endif

static int a[N];

static void *fill(void *arg) {
  (void)arg;
  sched_yield();
  for (int i = 0; i < N; i++) a[i] = i;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, fill, NULL);
  pthread_join(t, NULL);
  assert(a[N - 1] == N - 1);
  return 0;
}
