/**
 * One run of the checked program under the checker's control: the handshake, the steps sent
 * (and the reports of a run-ahead, docs/protocol.md "Running ahead"), and what comes back —
 * frames, silence, its death — turned into outcomes. Starting the process is spawn.ts's job,
 * carrying the frames (waits, decoding, the process's end) link.ts's, following a run-ahead
 * ahead.ts's, the restore commands FDS and MAP restore_commands.ts's, waiting for the end after
 * DONE ending.ts's; every process is registered so that it is killed whatever way the checker
 * ends (lib/process/cleanup.ts).
 */

import { InputError, InternalError } from "../errors.ts";
import { type ExitStatus, pidfdOpen } from "../native/process.ts";
import { NativeChannel } from "../native/channel.ts";
import { anyEnabled, type Step, type Transition } from "../model/transition.ts";
import type { Outcome } from "../explore/target.ts";
import { encodeFinish, encodeFork, encodeRun, encodeWelcome } from "./encode.ts";
import {
  type AheadRule,
  type FdChange,
  type MapOp,
  type Message,
  type StackInfo,
  WELCOME_STACKS,
  WELCOME_STATEFUL,
} from "./protocol.ts";
import {
  beforeFirstPointMessage,
  crashAfterRun,
  type CrashReport,
  deathOutcome,
  noHandshakeMessage,
  runtimeError,
  transitionTimeout,
  violationOutcome,
} from "./outcomes.ts";
import { registerChild } from "./cleanup.ts";
import { spawnProgram } from "./spawn.ts";
import type { Received } from "./frames.ts";
import { ProgramLink } from "./link.ts";
import { afterDone, awaitTail } from "./ending.ts";
import { RunAhead } from "./ahead.ts";
import { applyFds, applyMaps } from "./restore_commands.ts";
import type { Hello, MutableNames, ProgramSpec, RunOptions } from "./spec.ts";

export class ProgramRun {
  /** The actor that moved last: the one at fault if the program dies now. */
  private lastActor: number | null = null;
  /**
   * The pending transitions at the last point: their actors were not finished, to say who was
   * left behind by an exit (kept as reported, mapped to actors only then: no array per step).
   */
  private unfinished: readonly Transition[] = [];
  /** How the program ended, once it died on its own before DONE. */
  private ended: ExitStatus | null = null;
  /** What the program's crash handler reported before it died. */
  private crashed: CrashReport | null = null;
  /** What the runtime reported when an actor called exit(). */
  private exiting: { status: number; actor: number } | null = null;
  /** Every actor has returned; main's last lines run (stateful runs). */
  private allFinished = false;
  /** A copy forked from a checkpoint: not our child, its exit status is not ours to read. */
  private adopted = false;
  /** The control channel's descriptor number in the program. */
  private controlFd = -1;
  /** The program started with fixed AT_RANDOM bytes (stateful runs, when the kernel let it). */
  randomFixed = false;
  /** Set by HELLO. */
  hello: Hello | null = null;
  /** The stacks reported with the last point (stateful runs). */
  stacks: readonly StackInfo[] = [];
  /** Whether the runtime's mappings changed before the last point. */
  mapsChanged = true;
  /** Where a run-ahead stands: whether the runtime runs on, and by which rule (ahead.ts). */
  private readonly ahead = new RunAhead();
  /** The frames to and from the process (link.ts). */
  private readonly link: ProgramLink;
  /** The program's process (a forked copy's own, for --restore=fork) and its pidfd. */
  readonly pid: number;
  readonly pidfd: number;

  private constructor(
    pid: number,
    pidfd: number,
    channel: NativeChannel,
    private readonly spec: ProgramSpec,
    private readonly options: RunOptions,
    private readonly names: MutableNames,
  ) {
    this.pid = pid;
    this.pidfd = pidfd;
    this.link = new ProgramLink(pid, pidfd, channel, options.signal);
  }

  /** Starts the program and returns it with the outcome of its initial state. */
  static async start(
    spec: ProgramSpec,
    options: RunOptions,
    names: MutableNames,
  ): Promise<{ run: ProgramRun; first: Outcome }> {
    const spawned = spawnProgram(spec, options);
    options.output?.touch();
    const run = new ProgramRun(spawned.pid, spawned.pidfd, spawned.channel, spec, options, names);
    run.controlFd = spawned.controlFd;
    run.randomFixed = spawned.randomFixed;
    try {
      const first = await run.handshake();
      options.output?.reached(endsExecution(first));
      return { run, first };
    } catch (e) {
      run.kill();
      throw e;
    }
  }

  private async handshake(): Promise<Outcome> {
    const hello = await this.receive();
    if (hello.kind !== "message") {
      throw new InputError(noHandshakeMessage(this.spec.argv0, hello, this.options.timeoutMs));
    }
    if (hello.message.type !== "hello") {
      throw new InternalError(`the program's first frame is ${hello.message.type}, not HELLO`);
    }
    this.hello = {
      pid: this.pid,
      pidfd: this.pidfd,
      uffd: hello.message.uffd,
      ignored: hello.message.ignored,
      ownFds: [this.controlFd, hello.message.uffd].filter((fd) => fd >= 0),
    };
    const flags = (this.options.stateful ? WELCOME_STATEFUL : 0) |
      (this.options.stateful && this.options.reportStacks ? WELCOME_STACKS : 0);
    this.sendFrame(encodeWelcome(flags));
    const first = await this.outcome();
    // Dying before the first point is no interleaving's fault: nothing was chosen yet.
    if (first.kind === "violation" && this.ended !== null) {
      throw new InputError(
        beforeFirstPointMessage(
          this.spec.argv0,
          this.ended,
          this.crashed,
          first.violation.message,
          this.names,
          // What it said last on stderr often says why (the runtime's own complaints go there).
          this.options.output?.stderrTail().split("\n").pop() ?? "",
        ),
      );
    }
    return first;
  }

  get isAlive(): boolean {
    return this.link.isAlive;
  }

  /**
   * Executes the steps in order and returns where the last one leads; `before` is the number
   * of transitions already executed in this execution.
   */
  run(steps: readonly Step[], before = 0, ahead?: AheadRule): Promise<Outcome> {
    if (steps.length === 0) return Promise.reject(new InternalError("internal: empty RUN"));
    if (this.ahead.ranOn) {
      return Promise.reject(new InternalError("internal: a RUN while the runtime runs ahead"));
    }
    this.lastActor = steps[steps.length - 1].actor;
    this.ahead.begin(ahead);
    this.options.output?.touch();
    this.sendFrame(encodeRun(steps, before, ahead));
    // `then` rather than an async method: an async frame per step is garbage (issue 10).
    return this.outcome().then(this.reached);
  }

  /** Tells the output files where the step ended (made once: `then` takes it at every step). */
  private readonly reached = (outcome: Outcome): Outcome => {
    this.options.output?.reached(endsExecution(outcome));
    return outcome;
  };

  /** Whether the runtime runs on from the last point reported (the last RUN's rule). */
  get runsAhead(): boolean {
    return this.ahead.ranOn && this.link.isAlive;
  }

  /** The step the runtime takes on its own from the last point reported (while runsAhead). */
  aheadStep(): Step {
    return this.ahead.step();
  }

  /** Where the step the runtime took on its own (aheadStep) led: its next report. */
  next(): Promise<Outcome> {
    if (!this.runsAhead) {
      return Promise.reject(new InternalError("internal: no step ahead to take"));
    }
    this.lastActor = this.aheadStep().actor;
    this.ahead.took();
    this.options.output?.touch();
    return this.outcome().then(this.reached);
  }

  /**
   * Reads the rest of a run-ahead the checker will not follow, up to where the runtime waits
   * (a point, the final one included); returns the steps it took beyond the last point
   * reported and whether its mappings changed on the way, or null when it ended otherwise (a
   * violation, a crash, a timeout: the program is then killed, and a restore starts anew).
   */
  async drain(): Promise<{ steps: Step[]; mapsChanged: boolean } | null> {
    const steps: Step[] = [];
    let mapsChanged = false;
    while (this.runsAhead) {
      const step = this.aheadStep();
      this.ahead.ranOn = false;
      this.ahead.took();
      // The step's report: announcements first (an actor, an object, stacks), then its point.
      let m: Message;
      while (true) {
        const r = await this.receive();
        if (r.kind !== "message") {
          this.kill();
          return null;
        }
        m = r.message;
        if (m.type === "state") break;
        if (!this.announced(m)) {
          this.kill();
          return null;
        }
      }
      steps.push(step);
      mapsChanged ||= m.mapsChanged;
      this.ahead.lastPoint = m.point;
      this.ahead.ranOn = m.ranOn;
      this.allFinished = this.options.stateful === true && m.point.transitions.length === 0;
      if (!this.allFinished) this.unfinished = m.point.transitions;
    }
    if (!this.link.isAlive) return null;
    this.mapsChanged = mapsChanged;
    return { steps, mapsChanged };
  }

  /** Records a frame that announces something (an actor, an object, a proposition, stacks). */
  private announced(m: Message): boolean {
    switch (m.type) {
      case "actor":
        this.names.actors.set(m.id, m.name);
        return true;
      case "object":
        this.names.objects.set(m.id, m.name);
        return true;
      case "prop":
        this.options.props?.record(m);
        return true;
      case "stacks":
        this.stacks = m.stacks;
        return true;
      default:
        return false;
    }
  }

  /**
   * FORK: this process freezes where it is (a checkpoint) and a forked copy runs on; returns
   * the copy. The copy is a child of this process, not of the checker.
   */
  async fork(): Promise<ProgramRun> {
    this.sendFrame(encodeFork());
    const r = await this.receive();
    if (r.kind !== "message" || r.message.type !== "forked") {
      throw new InternalError("the program did not answer FORK");
    }
    const fd = this.link.takeFd();
    if (fd < 0) throw new InternalError("FORKED came without the copy's control channel");
    const pid = r.message.pid;
    const copy = new ProgramRun(
      pid,
      pidfdOpen(pid),
      new NativeChannel(fd),
      this.spec,
      this.options,
      this.names,
    );
    copy.adopted = true;
    copy.hello = this.hello;
    // Its memory is its checkpoint's: the fixed AT_RANDOM bytes too.
    copy.randomFixed = this.randomFixed;
    copy.stacks = this.stacks;
    copy.unfinished = this.unfinished;
    copy.lastActor = this.lastActor;
    registerChild(pid, copy.pidfd);
    return copy;
  }

  /** Has the agent in the program change its fd table (before a restore completes). */
  fds(changes: readonly FdChange[]): Promise<void> {
    return applyFds(this.link, changes, this.options.timeoutMs);
  }

  /** Has the runtime create or remove mappings (before a restore writes pages). */
  map(ops: readonly MapOp[]): Promise<void> {
    return applyMaps(this.link, ops, this.options.timeoutMs);
  }

  /**
   * Frames sent to the program so far. The program runs only when a frame tells it to, so a
   * count that has not moved says it has not run (lib/state/live_memory.ts: a clean restore).
   */
  get framesSent(): number {
    return this.link.framesSent;
  }

  private sendFrame(frame: Uint8Array): void {
    this.link.send(frame);
  }

  /** Reads frames until one that ends the step: a point, the end, or a violation. */
  private async outcome(): Promise<Outcome> {
    this.ahead.ranOn = false;
    while (true) {
      const got = this.receive();
      const r = got instanceof Promise ? await got : got;
      if (r.kind === "timeout") {
        this.kill();
        return transitionTimeout(
          this.names,
          this.lastActor,
          this.allFinished,
          this.options.timeoutMs,
        );
      }
      if (r.kind === "gone") return this.death(r.status);
      const m = r.message;
      if (this.announced(m)) continue;
      switch (m.type) {
        case "state":
          // Stateful: a point with no actor is the final point; the rest of main runs on FINISH.
          this.mapsChanged = m.mapsChanged;
          if (this.options.stateful && m.point.transitions.length === 0) {
            this.allFinished = true;
            const known = this.options.knownEnd?.() ?? null;
            if (known !== null) return known;
            this.sendFrame(encodeFinish());
            break;
          }
          this.allFinished = false;
          this.unfinished = m.point.transitions;
          this.ahead.lastPoint = m.point;
          this.ahead.ranOn = m.ranOn;
          return m.nondetRange
            ? { kind: "point", point: m.point, nondetRange: true }
            : { kind: "point", point: m.point };
        case "crash":
          // The process dies right after: the end of the channel follows.
          this.crashed = m;
          break;
        case "exiting":
          this.exiting = { status: m.status, actor: m.actor };
          break;
        case "tail":
          // Stateful: the copy that ran the rest of main has ended; this process stays.
          return m.signaled ? crashAfterRun(m.value, this.crashed, this.names) : { kind: "done" };
        case "mapped":
        case "forked":
          throw new InternalError(`unexpected ${m.type} frame after RUN`);
        case "violation":
          // From the copy that ran the rest of main (stateful): it exits at once, and its
          // parent, which waits for it, answers with TAIL. Killing before that could orphan
          // the copy before its parent reaps it.
          if (this.options.stateful && this.allFinished) await awaitTail(this.link);
          this.kill();
          return violationOutcome(m);
        case "done":
          // Stateful: TAIL follows, from the process that stays.
          if (this.options.stateful) break;
          return await afterDone(this.link, this.options.timeoutMs);
        case "error":
          this.kill();
          throw runtimeError(m);
        case "hello":
          throw new InternalError("the program sent HELLO twice");
      }
    }
  }

  /** The program closed the channel or was found dead: a crash or an early exit. */
  private death(status: ExitStatus): Outcome {
    this.kill();
    this.ended = status;
    if (this.exiting !== null) this.lastActor = this.exiting.actor;
    return deathOutcome({
      status,
      crashed: this.crashed,
      exiting: this.exiting,
      adopted: this.adopted,
      lastActor: this.lastActor,
      unfinished: this.unfinished.map((t) => t.actor),
    }, this.names);
  }

  /** Kills the program (its whole process group) and reaps it. Safe to call twice. */
  kill(): void {
    this.link.kill();
  }

  private receive(timeoutMs = this.options.timeoutMs): Received | Promise<Received> {
    return this.link.receive(timeoutMs);
  }
}

/** Whether an execution ends at `outcome`: done, a violation, or a point where nothing runs. */
function endsExecution(outcome: Outcome): boolean {
  return outcome.kind !== "point" || !anyEnabled(outcome.point);
}
