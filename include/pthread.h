/*
 * pthread.h — isomc's wrapper of the system <pthread.h> (docs/pthreads.md).
 *
 * `isomc cc` puts this directory first on the include path, so a program that includes
 * <pthread.h> gets the system header through this one, which also marks the program as a
 * pthread program: the runtime then starts before main, runs main and every thread as an
 * actor, and makes each synchronisation call a visible transition. A program that includes
 * isomc.h is a program of the isomc API instead, and its pthread calls are the C library's.
 */
#include_next <pthread.h>

#ifndef ISOMC_PTHREAD_MARK
#define ISOMC_PTHREAD_MARK
/* Weak: every file that includes this defines it, and the link keeps one. */
#ifdef __cplusplus
extern "C" {
#endif
extern const char isomc_pthread_program;
__attribute__((weak, used)) const char isomc_pthread_program = 1;
#ifdef __cplusplus
}
#endif
#endif
