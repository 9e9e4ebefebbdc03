/*
 * measure OUT -- COMMAND [ARGS...]: runs COMMAND (its stdout and stderr are ours) and writes
 * one JSON line to OUT: wall time, user and system CPU of its whole process tree, the peak
 * resident set of the largest process of the tree, its exit status (128 + signal when killed)
 * and how many of its processes outlived their parents. bench/peers.ts times every tool through
 * it, so the tools are measured the same way, without the timer's own start-up.
 *
 * The tree's CPU is getrusage(RUSAGE_CHILDREN) once every process of it is reaped. wait4 alone
 * would miss the processes nobody in the tree waits for: SimGrid's checker leaves the processes
 * of the checked application to die after it (perf's task-clock saw 4.3 s of CPU where wait4's
 * rusage said 1.5). So measure is the tree's subreaper: an orphan becomes measure's child, and
 * measure reaps it; one still running 10 s after COMMAND ended is killed (counted as late).
 *
 * If measure dies, the command is killed (PR_SET_PDEATHSIG), and measure itself dies with the
 * process that started it: no benchmark outlives the harness.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

/* Kills every direct child of measure (the orphans reparented to it). */
static void kill_children(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  FILE *f = fopen(path, "r");
  if (f == NULL) return;
  int child;
  while (fscanf(f, "%d", &child) == 1) {
    if (child > 0) (void)kill(child, SIGKILL);
  }
  fclose(f);
}

/*
 * Reaps the orphans of the tree until none is left; those still running after `grace` seconds
 * are killed. Returns how many processes were reaped, or -1 on an error other than ECHILD.
 */
static int reap_orphans(double grace, int *killed) {
  double start = now();
  int reaped = 0;
  *killed = 0;
  for (;;) {
    int status;
    pid_t got = waitpid(-1, &status, WNOHANG);
    if (got > 0) {
      reaped++;
      continue;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno == ECHILD ? reaped : -1;
    }
    if (now() - start > grace) {
      kill_children();
      *killed = 1;
    }
    struct timespec pause = {0, 5 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

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
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    fprintf(stderr, "measure: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
    return 3;
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
  int killed = 0;
  int orphans = reap_orphans(10.0, &killed);
  if (orphans < 0) {
    fprintf(stderr, "measure: waitpid: %s\n", strerror(errno));
    return 3;
  }
  struct rusage tree;
  if (getrusage(RUSAGE_CHILDREN, &tree) != 0) {
    fprintf(stderr, "measure: getrusage: %s\n", strerror(errno));
    return 3;
  }
  fprintf(out,
          "{\"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, \"max_rss_kib\": %ld, "
          "\"exit\": %d, \"orphans\": %d, \"orphans_killed\": %s}\n",
          wall, seconds(tree.ru_utime), seconds(tree.ru_stime), tree.ru_maxrss, code, orphans,
          killed ? "true" : "false");
  if (fclose(out) != 0) return 3;
  return 0;
}
