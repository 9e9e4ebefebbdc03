/** The CLI's help texts: one per command, kept beside each other so they read as one manual. */

export const VERSION = "0.1.0";

export const mainHelp =
  `isomc ${VERSION} — a model checker for concurrent and distributed C programs

Usage:
  isomc demo                               build and check the bundled example, show its bug
  isomc cc [cc options] -o APP APP.c       compile a program against the isomc runtime
  isomc check [options] -- PROGRAM [ARGS]  explore every interleaving of PROGRAM's actors
  isomc replay TRACE -- PROGRAM [ARGS]     re-run a counterexample outside the checker
  isomc check --ltl=FORMULA -- PROGRAM     check an LTL property of PROGRAM's infinite executions
  isomc show [--svg=F] [--html=F] TRACE    a counterexample again, in words or as a chart
  isomc ltl FORMULA                        show the Büchi automaton of an LTL formula's negation
  isomc worker --connect=ADDR -- PROGRAM   one worker of a parallel check (--coordinator)
  isomc help COMMAND                       help on one command
  ./isomc test | bench | dist              in a checkout (its wrapper): the test suite, the
                                           benchmarks, the single binary; each has --help

Exit codes: 0 no violation (complete), 1 violation found (or reproduced), 2 usage or input
error, 3 incomplete exploration or internal error.
`;

export const checkHelp = `Usage: isomc check [options] -- PROGRAM [ARGS...]

Explores every interleaving of PROGRAM's actors and every value of its isomc_random calls,
and stops at the first deadlock, failed assertion, crash, early exit, timeout or data race; with --ltl,
--never or --non-progress, also at the first infinite execution that violates the property.

Options:
  --reduction=KIND      how much of the search to skip (default odpor):
                          none   every interleaving
                          sleep  sleep sets: skip what an explored branch already covers
                          sdpor  source-DPOR with sleep sets
                          odpor  optimal DPOR: one execution per equivalence class
                        the reductions find the same deadlocks, assertions and crashes
  --restore=HOW         how earlier states are restored (default memory):
                          memory  write back the pages that differ from a snapshot
                          fork    fork again from a frozen copy of the process
                          replay  start the program again and replay the steps
  --memory=WHICH        which memory accesses of pthread programs are steps (default all):
                          all   every load, store and atomic of shared memory
                          sync  atomics only (plain accesses run between the steps,
                                still checked for data races)
  --races=report|ignore data races of pthread programs are violations (default report)
  --preload             PROGRAM is a pthread program built elsewhere (any compiler, no
                        isomc cc): the runtime is preloaded (LD_PRELOAD) and intercepts its
                        pthread and semaphore calls; only synchronisation is seen, not its
                        plain memory accesses (--memory=sync; --memory=all is refused); not
                        for static binaries (docs/pthreads.md)
  --join-on-exit        a pthread program's return from main waits for the threads still
                        running (GenMC's convention); without it, as POSIX says, it cuts
                        them: an exit violation naming them
  --visited             skip states already explored (default with --restore=memory and
                        --reduction=none; --restore=fork too when asked); makes programs
                        that never end checkable
  --no-visited          explore every execution even through known states
  --exact-compare       with --visited, prune a state only when its memory and descriptors
                        equal a known state's, not merely its 64-bit hash
  --no-pin              let the program run on any CPU (by default it shares the checker's)
  --every-end           --restore=memory (and fork with --visited) runs main's code after
                        isomc_run once per distinct final state (equal states end alike);
                        this runs it after every execution (implied by --show-output)
  --snapshot-spacing=N  --restore=memory without --visited: snapshot at most every N steps
                        and replay the steps in between to go back (default 8; 1: snapshot
                        every point where the search branches)
  --max-checkpoints=N   --restore=fork: keep at most N frozen processes (default 64); deeper
                        states are reached from the deepest one by replaying steps
  --max-depth=N         cut executions longer than N transitions (verdict: incomplete)
  --max-executions=N    stop after N executions (verdict: incomplete)
  --timeout=SECONDS     longest a transition may run before it is a violation (default 10)
  --json                print one JSON object on stdout instead of the report (an error
                        object when the check fails); no progress line
  --trace-out=FILE      where to write the counterexample (default PROGRAM.isomc-trace.json,
                        after the program's file name, in the current directory)
  --show-output         print each execution's output, whole, when the search leaves it
  --svg=FILE            draw the counterexample as a message-sequence chart (SVG)
  --html=FILE           write the counterexample as one self-contained HTML page: the chart,
                        every step with its source line, the statistics
  --dot=FILE            with --visited: write the explored state graph (Graphviz dot), for
                        small programs (refused above 10,000 states)
  -h, --help            this help

SV-COMP tasks (docs/svcomp.md):
  --nondet-range=LO..HI the values a wide __VERIFIER_nondet_* (int, long...) takes (default
                        -2..2); a search that drew from it ends incomplete, never ok
  --svcomp              abort() is a failed assumption, as the tasks mean it: its thread
                        is blocked for ever (without it, abort() is a crash)

Liveness (docs/liveness.md; each needs --reduction=none, the default with them, and
--restore=memory; one property at a time):
  --ltl=FORMULA         check an LTL formula over the propositions the program registers
                        with isomc_prop (see isomc ltl --help for the grammar); a violation
                        is a lasso: a prefix, then a cycle repeated forever
  --never=FILE          check a SPIN never claim (as spin -f writes them) instead
  --non-progress        find a cycle that passes no isomc_progress() marker (SPIN's -l)
  --fairness=KIND       none (default): every cycle counts; weak: a cycle where some actor
                        is enabled in every state but never moves does not (SPIN's -f)
  --no-deadlock         a deadlocked run is one more run that ends (its last state repeats
                        forever), not a violation
  --jobs=N              explore with N worker processes on this machine, each with its own
                        program, on its own CPU: the sequential verdict and counts
                        (docs/parallel.md); --visited when asked (the sequential state
                        counts); --max-executions and --show-output as sequentially; not
                        with --exact-compare
  --coordinator=HOST:PORT  the same with workers started elsewhere (isomc worker, by
                        srun or ssh), connecting over TCP
  --expect-workers=N    with --coordinator: hand out work once N workers are connected

Each option may be given once; --max-checkpoints, --every-end and --snapshot-spacing are
refused where their strategy is not the one chosen. The program's stdin is /dev/null.

Ctrl-C (or SIGTERM) stops the search, even inside a transition that never returns, and reports
what was explored (exit 3); a second one stops at once (exit 130, or 143 for SIGTERM).

Exit codes: 0 no violation, 1 violation, 2 usage or input error, 3 incomplete or internal error.
`;

export const replayHelp = `Usage: isomc replay [options] TRACE -- PROGRAM [ARGS...]

Runs PROGRAM on its own, outside the checker, following the schedule recorded in TRACE (as
written by isomc check), and says whether the recorded violation happened again. The program
logs each step on stderr. When PROGRAM or its arguments are not those the trace was recorded
with, it says so first, and replays anyway. To debug the same run:
  ISOMC_REPLAY=TRACE gdb --args PROGRAM [ARGS...]
  ISOMC_REPLAY=TRACE valgrind PROGRAM [ARGS...]

A lasso (a liveness or non-progress violation) is replayed under the checker's control: the
prefix, then the cycle twice, each step with the propositions' values; it is reproduced when
the state after each round of the cycle is the one the cycle started from (for a run that
ends, when it ends after the trace). Under ISOMC_REPLAY alone the program runs the prefix,
then the cycle ISOMC_REPLAY_CYCLES times (default 3), and stops with abort().

Options:
  --quiet               do not log the steps
  --timeout=SECONDS     give up after this long (default: none, or the checker's timeout
                        plus 2 s when the trace records a timeout)
  -h, --help            this help

Exit codes: 1 the violation was reproduced, 0 the program ran without it, 2 the trace does not
parse or does not fit the program, 3 the program did something else (for a lasso: the state
did not repeat).
`;

export const showHelp = `Usage: isomc show [options] TRACE

Shows the counterexample recorded in TRACE (as written by isomc check) from the file alone,
without the program: its steps, the line of the program each was made at, the violation and
the statistics, as isomc check reported them.

Options:
  --svg=FILE            draw it as a message-sequence chart instead (one lifeline per actor,
                        one row per step, messages, locks held, waits, the violation)
  --html=FILE           write one self-contained HTML page instead: the chart, every step with
                        its source line (and the line's text when the file is readable), the
                        violation, the statistics
  -h, --help            this help

Exit codes: 0 shown or written, 2 the trace does not parse or a file cannot be written.
`;

export const ltlHelp = `Usage: isomc ltl [--dot] FORMULA
       isomc ltl [--dot] --never=FILE

Translates the LTL formula FORMULA (quote it) and prints the Büchi automaton of its
negation: the executions that violate it, which a liveness search looks for. Each state
says what the rest of the run must satisfy; a transition reads the propositions' values in
the current state; a run is accepted when it takes marked transitions of every acceptance
set infinitely often. docs/liveness.md has the grammar:
  p, true, false       propositions (names the program registers with isomc_prop)
  !  &&  ||  ->  <->   also ~ & | /\\ \\/ => --> <=>, in this order of precedence (! first)
  X  F  G              next, eventually (also <>), always (also [])
  U  R  W              until, release (also V), weak until; right-associative

Options:
  --dot          print Graphviz (dot) instead of text
  --never=FILE   print the automaton of a SPIN never claim (as spin -f writes them) instead
  -h, --help     this help

Exit codes: 0 printed, 2 the formula or the claim does not parse (the message says where).
`;

export const ccHelp = `Usage: isomc cc [--cc=PATH] [compiler options] -o APP SOURCE.c...

Compiles and links a C program against the isomc runtime, adding -g, the include directory
for <isomc.h> and the runtime library. The compiler is zig cc when Zig is there (./isomc
installs it), otherwise the system's cc, gcc or clang; --cc=PATH chooses one (gcc, clang-19,
/usr/bin/cc, or a zig binary). zig cc's default UB-sanitizer traps are turned off unless you
pass a -fsanitize option yourself. UBSan (-fsanitize=undefined) works; AddressSanitizer and
the other sanitizers with a runtime (thread, memory, leak) are refused. A missing input file
is refused before the compiler runs (exit 2). It takes what a C compiler driver takes: several
sources, preprocessed .i files, .o and .a files, -c, -l, -L, -I, -D, warning options. SV-COMP
tasks (.i files, or inputs naming __VERIFIER_ or reach_error) run main as an actor
(docs/svcomp.md).
`;

export const demoHelp = `Usage: isomc demo

Builds examples/philosophers.c (three dining philosophers who each take their left fork
first), checks it, prints the deadlock it finds as a counterexample and how to replay it.
Exits 0 when the known deadlock was found and shown.
`;

export const workerHelp = `isomc worker --connect=ADDR -- PROGRAM [ARGS]

One worker of a parallel check (isomc check --jobs=N starts its own; on a cluster, start
them with srun or ssh, see examples/slurm/). ADDR is HOST:PORT (TCP) or unix:PATH. The worker
explores the jobs the coordinator sends with its own copy of PROGRAM, and exits when the
coordinator ends or goes away.`;
