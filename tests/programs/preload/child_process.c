/* A pthread program that starts a process (system(), a shell): the shell must not get the
 * preloaded runtime, which would start on the inherited control channel (the checker saw a
 * second HELLO). The shell's exit status tells main it ran. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  shared++;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  int status = system("exit 3");
  assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_mutex_lock(&m);
  shared++;
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  assert(shared == 2);
  return 0;
}
