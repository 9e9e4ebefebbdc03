/* No thread, no semaphore: nothing for `isomc check --preload` to intercept. */
#include <stdio.h>

int main(void) {
  printf("hello\n");
  return 0;
}
