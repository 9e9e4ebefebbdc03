/*
 * main returns without joining its thread: as POSIX says, that is exit(0), which cuts the
 * thread if it has not ended. The thread's end and main's return are explored in both orders:
 * reported as the `exit` violation of exit_cut.c ("actor main called exit(0), leaving thread-1
 * unfinished") where main returns first. With --join-on-exit the thread runs to its end: ok.
 */
#include <pthread.h>

static int x;

static void *work(void *arg) {
  (void)arg;
  x = 1;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  return 0;
}
