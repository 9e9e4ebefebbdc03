/*
 * Two threads read a semaphore's value with sem_getvalue while main posts it: each read sees 0
 * or 1, as it comes before or after the post. The reads commute with each other, not with the
 * post.
 */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

static sem_t s;
static int seen[2];

static void *read_it(void *arg) {
  int *out = arg;
  sem_getvalue(&s, out);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  sem_init(&s, 0, 0);
  pthread_create(&t1, NULL, read_it, &seen[0]);
  pthread_create(&t2, NULL, read_it, &seen[1]);
  sem_post(&s);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert((seen[0] == 0 || seen[0] == 1) && (seen[1] == 0 || seen[1] == 1));
  return 0;
}
