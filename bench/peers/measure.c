/*
 * measure OUT -- COMMAND [ARGS...]: runs COMMAND (its stdout and stderr are ours) and writes
 * one JSON line to OUT: wall time, user and system CPU, the peak resident set of the largest
 * process of its tree (wait4's rusage covers the descendants it reaped), and its exit status
 * (128 + signal when killed). bench/peers.ts times every tool through it, so the three tools
 * are measured the same way, without the timer's own start-up.
 *
 * If measure dies, the command is killed (PR_SET_PDEATHSIG), and measure itself dies with the
 * process that started it: no benchmark outlives the harness.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[2], "--") != 0) {
    fprintf(stderr, "usage: measure OUT -- COMMAND [ARGS...]\n");
    return 2;
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) return 3;
  FILE *out = fopen(argv[1], "w");
  if (out == NULL) {
    fprintf(stderr, "measure: cannot write %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  double start = now();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "measure: fork: %s\n", strerror(errno));
    return 3;
  }
  if (pid == 0) {
    fclose(out);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(127);
    execvp(argv[3], argv + 3);
    fprintf(stderr, "measure: cannot run %s: %s\n", argv[3], strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  pid_t got;
  do {
    got = wait4(pid, &status, 0, &usage);
  } while (got < 0 && errno == EINTR);
  double wall = now() - start;
  if (got != pid) {
    fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
    return 3;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  fprintf(out,
          "{\"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, \"max_rss_kib\": %ld, "
          "\"exit\": %d}\n",
          wall, seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_maxrss, code);
  if (fclose(out) != 0) return 3;
  return 0;
}
