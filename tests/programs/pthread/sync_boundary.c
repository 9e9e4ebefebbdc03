/*
 * A race across a step boundary, under --memory=sync: each thread takes a step (a yield) before
 * its plain access, so the two accesses run in the windows of two different steps (main's read
 * after main's yield, the thread's write after the thread's). Nothing orders them. Expected:
 * data-race, main's read at line 23 and thread-1's write at line 15.
 */
#include <pthread.h>
#include <sched.h>

int x;

static void *work(void *arg) {
  (void)arg;
  sched_yield();
  x = 1;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  sched_yield();
  int seen = x;
  pthread_join(t, NULL);
  return seen > 1;
}
