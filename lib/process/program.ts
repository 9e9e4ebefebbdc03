/**
 * One run of the checked program under the checker's control: start it with the control
 * channel, do the handshake, send it steps, and turn what comes back — frames, silence, its
 * death — into outcomes. Every process started here is registered in `live` so that it is
 * killed whatever way the checker ends (lib/process/cleanup.ts).
 */

import { InputError, InternalError } from "../errors.ts";
import {
  agentLibrary,
  closeFd,
  type ExitStatus,
  killProcess,
  NativeChannel,
  pidfdOpen,
  releaseProcess,
  socketPair,
  spawn,
  waitProcess,
} from "../native/ffi.ts";
import type { Step } from "../model/transition.ts";
import { actorName } from "../model/transition.ts";
import type { Outcome } from "../explore/target.ts";
import {
  decode,
  encodeFds,
  encodeFinish,
  encodeFork,
  encodeMap,
  encodeRun,
  encodeWelcome,
  ENV_FD,
  ErrorCode,
  type FdChange,
  type MapOp,
  type Message,
  ProtocolError,
  type StackInfo,
  VersionMismatch,
  ViolationKind,
  WELCOME_STACKS,
  WELCOME_STATEFUL,
} from "./protocol.ts";
import { describeSignal } from "./signals.ts";
import { registerChild, unregisterChild } from "./cleanup.ts";

export interface ProgramSpec {
  /** Resolved path of the executable. */
  readonly path: string;
  /** Arguments after the program name. */
  readonly args: readonly string[];
  /** argv[0] as the user wrote it. */
  readonly argv0: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /** Longest time a transition (or the start) may take before it is a timeout violation. */
  readonly timeoutMs: number;
  /** Let the program write to the checker's stdout and stderr ("stderr": both to stderr). */
  readonly showOutput?: boolean | "stderr";
  /**
   * The checker restores states: the program stays alive at the end of an execution (the rest
   * of main runs in a forked copy) and reports its stacks at every point.
   */
  readonly stateful?: boolean;
  /** With `stateful`: the runtime reports its stacks at every point (to hash states). */
  readonly reportStacks?: boolean;
  /**
   * With `stateful`: called at the final point of an execution (every actor has returned, the
   * program waits there). An outcome it returns is taken as how the rest of main ends, which
   * then does not run; null has the program run it (FINISH) in a forked copy.
   */
  readonly knownEnd?: () => Outcome | null;
  /**
   * Run the program on the checker's CPU (default true): a blocking round trip between two
   * processes is several times cheaper on one CPU than across two.
   */
  readonly pinCpu?: boolean;
}

/** What the program's runtime declared at the handshake. */
export interface Hello {
  readonly pid: number;
  readonly pidfd: number;
  /** The program's userfaultfd, by its number in the program; -1 if none. */
  readonly uffd: number;
  /** Memory that is not program state. */
  readonly ignored: readonly (readonly [number, number])[];
  /** The runtime's own descriptors (control channel, userfaultfd): not program state. */
  readonly ownFds: readonly number[];
}

/** Names learnt from ACTOR and OBJECT frames; shared by every run of the same program. */
export interface MutableNames {
  readonly actors: Map<number, string>;
  readonly objects: Map<number, string>;
}

/** How long to wait for a program that closed its channel to finish dying. */
const exitGraceMs = 2000;
/** Slice of a long wait after which the event loop gets a turn (signals, progress). */
const sliceMs = 100;

export class ProgramRun {
  private alive = true;
  /** The actor that moved last: the one at fault if the program dies now. */
  private lastActor: number | null = null;
  /** Actors not finished at the last point, to say who was left behind by an exit. */
  private unfinished: number[] = [];
  /** How the program ended, once it died on its own before DONE. */
  private ended: ExitStatus | null = null;
  /** What the program's crash handler reported before it died. */
  private crashed: { signal: number; actor: number } | null = null;
  /** What the runtime reported when an actor called exit(). */
  private exiting: { status: number; actor: number } | null = null;
  /** Every actor has returned; main's last lines run (stateful runs). */
  private allFinished = false;
  /** A copy forked from a checkpoint: not our child, its exit status is not ours to read. */
  private adopted = false;
  /** The control channel's descriptor number in the program. */
  private controlFd = -1;
  /** Set by HELLO. */
  hello: Hello | null = null;
  /** The stacks reported with the last point (stateful runs). */
  stacks: readonly StackInfo[] = [];
  /** Whether the runtime's mappings changed before the last point. */
  mapsChanged = true;

  private constructor(
    /** The program's process (a forked copy's own, for --restore=fork) and its pidfd. */
    readonly pid: number,
    readonly pidfd: number,
    private readonly channel: NativeChannel,
    private readonly spec: ProgramSpec,
    private readonly options: RunOptions,
    private readonly names: MutableNames,
  ) {}

  /** Starts the program and returns it with the outcome of its initial state. */
  static async start(
    spec: ProgramSpec,
    options: RunOptions,
    names: MutableNames,
  ): Promise<{ run: ProgramRun; first: Outcome }> {
    const [mine, theirs] = socketPair();
    let spawned;
    try {
      spawned = spawn({
        argv: [spec.path, ...spec.args],
        env: {
          ...spec.env,
          ...quietKernelWrites(spec.env),
          ...(options.stateful ? preloadAgent(spec.env) : {}),
          [ENV_FD]: String(theirs),
        },
        keepFd: theirs,
        inheritOutput: options.showOutput,
        pinCpu: options.pinCpu ?? true,
      });
    } finally {
      closeFd(theirs);
    }
    if (!spawned.ok) {
      closeFd(mine);
      throw new InputError(`cannot run ${spec.argv0}: ${errnoText(spawned.errno)}`);
    }
    registerChild(spawned.pid, spawned.pidfd);
    const channel = new NativeChannel(mine);
    const run = new ProgramRun(spawned.pid, spawned.pidfd, channel, spec, options, names);
    run.controlFd = theirs;
    try {
      const first = await run.handshake();
      return { run, first };
    } catch (e) {
      run.kill();
      throw e;
    }
  }

  private async handshake(): Promise<Outcome> {
    const hello = await this.receive();
    if (hello.kind !== "message") {
      throw new InputError(this.describeNoHandshake(hello));
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
      const program = this.spec.argv0;
      if (this.ended.state === "exited") {
        throw new InputError(
          `${program} exited with status ${this.ended.code} before its first scheduling point (did main() reach isomc_run()?); run it on its own to see why`,
        );
      }
      throw new InputError(
        `${program} crashed before its first scheduling point (${first.violation.message}); run it on its own to debug it`,
      );
    }
    return first;
  }

  private describeNoHandshake(r: Exclude<Received, { kind: "message" }>): string {
    const program = this.spec.argv0;
    const hint = "is it built with `isomc cc` and does main() call isomc_init()?";
    if (r.kind === "timeout") {
      return `${program} did not connect to the checker within ${
        this.options.timeoutMs / 1000
      } s: ${hint}`;
    }
    const status = r.status;
    if (status.state === "signaled") {
      return `${program} was killed by ${
        describeSignal(status.signal)
      } before connecting to the checker; run it on its own to debug it`;
    }
    if (status.state === "exited") {
      return `${program} exited with status ${status.code} without connecting to the checker: ${hint}`;
    }
    return `${program} closed the control channel without connecting: ${hint}`;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * Executes the steps in order and returns where the last one leads; `before` is the number
   * of transitions already executed in this execution.
   */
  async run(steps: readonly Step[], before = 0): Promise<Outcome> {
    if (steps.length === 0) throw new InternalError("internal: empty RUN");
    this.lastActor = steps[steps.length - 1].actor;
    this.sendFrame(encodeRun(steps, before));
    return await this.outcome();
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
    const fd = this.channel.takeFd();
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
    copy.stacks = this.stacks;
    copy.unfinished = this.unfinished;
    copy.lastActor = this.lastActor;
    registerChild(pid, copy.pidfd);
    return copy;
  }

  /** Has the agent in the program change its fd table (before a restore completes). */
  async fds(changes: readonly FdChange[]): Promise<void> {
    this.sendFrame(encodeFds(changes));
    const r = await this.receive();
    if (r.kind !== "message" || r.message.type !== "fdset") {
      throw new InternalError("the program did not answer FDS");
    }
    if (r.message.failed !== 0) {
      const c = changes[r.message.failed - 1];
      throw new InternalError(
        `the agent could not restore fd ${c?.fd ?? "?"} (errno ${r.message.errno}${
          r.message.errno === 38 ? ": the agent is not loaded" : ""
        })`,
      );
    }
  }

  /** Has the runtime create or remove mappings (before a restore writes pages). */
  async map(ops: readonly MapOp[]): Promise<void> {
    this.sendFrame(encodeMap(ops));
    const r = await this.receive();
    if (r.kind !== "message" || r.message.type !== "mapped") {
      throw new InternalError("the program did not answer MAP");
    }
    if (r.message.errno !== 0) {
      throw new InternalError(
        `the program could not restore its mappings (errno ${r.message.errno})`,
      );
    }
  }

  private sendFrame(frame: Uint8Array): void {
    // A failed send means the program is gone; the next receive says how it ended.
    this.channel.send(frame);
  }

  /** Reads frames until one that ends the step: a point, the end, or a violation. */
  private async outcome(): Promise<Outcome> {
    // After FINISH, a violation comes from the copy that runs the rest of main.
    let finishing = false;
    let tailViolation: Outcome | null = null;
    while (true) {
      const r = await this.receive();
      if (tailViolation !== null && r.kind !== "message") {
        // The violation stands, however the process that should report TAIL went.
        this.kill();
        return tailViolation;
      }
      if (r.kind === "timeout") {
        this.kill();
        const who = actorName(this.names, this.lastActor);
        return {
          kind: "violation",
          violation: {
            kind: "timeout",
            message: this.allFinished
              ? `every actor finished but the program did not exit within ${
                this.options.timeoutMs / 1000
              } s`
              : this.lastActor === null
              ? `the actors did not reach their first visible operation within ${
                this.options.timeoutMs / 1000
              } s`
              : `${who}'s transition did not return within ${
                this.options.timeoutMs / 1000
              } s (an endless loop between two visible operations?)`,
            actor: this.lastActor,
          },
        };
      }
      if (r.kind === "gone") return this.death(r.status);
      const m = r.message;
      switch (m.type) {
        case "actor":
          this.names.actors.set(m.id, m.name);
          break;
        case "object":
          this.names.objects.set(m.id, m.name);
          break;
        case "state":
          // Stateful: a point with no actor is the final point; the rest of main runs on FINISH.
          this.mapsChanged = m.mapsChanged;
          if (this.options.stateful && m.point.transitions.length === 0) {
            this.allFinished = true;
            const known = this.options.knownEnd?.() ?? null;
            if (known !== null) return known;
            this.sendFrame(encodeFinish());
            finishing = true;
            break;
          }
          this.allFinished = false;
          this.unfinished = m.point.transitions.map((t) => t.actor);
          return { kind: "point", point: m.point };
        case "stacks":
          this.stacks = m.stacks;
          break;
        case "crash":
          // The process dies right after: the end of the channel follows.
          this.crashed = { signal: m.signal, actor: m.actor };
          break;
        case "exiting":
          this.exiting = { status: m.status, actor: m.actor };
          break;
        case "tail":
          // Stateful: the copy that ran the rest of main has ended; this process stays.
          if (tailViolation !== null) {
            this.kill();
            return tailViolation;
          }
          return m.signaled ? crashAfterRun(m.value) : { kind: "done" };
        case "mapped":
        case "forked":
          throw new InternalError(`unexpected ${m.type} frame after RUN`);
        case "violation": {
          const found: Outcome = {
            kind: "violation",
            violation: {
              kind: "assertion",
              message: m.kind === ViolationKind.misuse ? `API misuse: ${m.message}` : m.message,
              actor: m.actor === 0 ? null : m.actor,
            },
          };
          // From the copy that runs the rest of main: its parent reaps it, then sends TAIL.
          // Killed before, the parent would leave the copy to whoever adopts orphans.
          if (finishing) {
            tailViolation = found;
            break;
          }
          this.kill();
          return found;
        }
        case "done":
          // Stateful: TAIL follows, from the process that stays.
          if (this.options.stateful) break;
          return await this.afterDone();
        case "error":
          this.kill();
          if (m.code === ErrorCode.diverged) {
            throw new InternalError(
              `the program did not repeat an earlier execution (${m.message}): isomc needs a deterministic program; does it depend on time, addresses or unchecked input?`,
            );
          }
          throw new InternalError(`the program's runtime reported a protocol error: ${m.message}`);
        case "hello":
          throw new InternalError("the program sent HELLO twice");
      }
    }
  }

  /** After DONE the program still runs main's last lines; a crash there is a violation too. */
  private async afterDone(): Promise<Outcome> {
    const status = await this.waitExit(this.options.timeoutMs);
    if (status.state === "running") {
      this.kill();
      return {
        kind: "violation",
        violation: {
          kind: "timeout",
          message: `every actor finished but the program did not exit within ${
            this.options.timeoutMs / 1000
          } s`,
          actor: null,
        },
      };
    }
    this.alive = false;
    unregisterChild(this.pid);
    releaseProcess(this.pidfd);
    this.channel.close();
    // No actor is running any more: a crash is main's, after isomc_run returned.
    return status.state === "signaled" ? crashAfterRun(status.signal) : { kind: "done" };
  }

  /** The program closed the channel or was found dead: a crash or an early exit. */
  private death(ended: ExitStatus): Outcome {
    let status = ended;
    this.kill();
    this.ended = status;
    if (this.crashed !== null) {
      const who = this.crashed.actor === 0 ? null : this.crashed.actor;
      return {
        kind: "violation",
        violation: {
          kind: "crash",
          message: `the program was killed by ${describeSignal(this.crashed.signal)}${
            who === null ? " in main" : ` while ${actorName(this.names, who)} was running`
          }`,
          actor: who,
        },
      };
    }
    if (this.exiting !== null) {
      status = { state: "exited", code: this.exiting.status };
      this.lastActor = this.exiting.actor;
    } else if (this.adopted) {
      // Not our child: without a report from the runtime, how it ended is unknown.
      status = { state: "running" };
    }
    const who = this.lastActor;
    if (status.state === "signaled") {
      return {
        kind: "violation",
        violation: {
          kind: "crash",
          message: `the program was killed by ${describeSignal(status.signal)}${
            who === null ? "" : ` while ${actorName(this.names, who)} was running`
          }`,
          actor: who,
        },
      };
    }
    // The actor that called exit() is not "left behind": it is the one at fault.
    const left = this.unfinished.filter((a) => a !== who).map((a) => actorName(this.names, a));
    const code = status.state === "exited" ? `status ${status.code}` : "an unknown status";
    return {
      kind: "violation",
      violation: {
        kind: "exit",
        message: `the program exited with ${code}${
          who === null ? "" : ` while ${actorName(this.names, who)} was running`
        }, leaving ${left.length === 0 ? "no actor" : left.join(", ")} unfinished`,
        actor: who,
      },
    };
  }

  /** Waits for a frame, in slices so the event loop keeps running during long waits. */
  private async receive(): Promise<Received> {
    const deadline = performance.now() + this.options.timeoutMs;
    while (true) {
      const left = deadline - performance.now();
      if (left <= 0) return { kind: "timeout" };
      const r = this.channel.receive(Math.min(sliceMs, Math.ceil(left)));
      switch (r.kind) {
        case "frame":
          try {
            return { kind: "message", message: decode(r.frame) };
          } catch (e) {
            // Another version is the user's to fix (rebuild); anything else is a broken runtime.
            if (e instanceof VersionMismatch) throw new InputError(e.message);
            if (e instanceof ProtocolError) {
              throw new InternalError(
                `the program sent a malformed frame on the control channel: ${e.message}`,
              );
            }
            throw e;
          }
        case "closed":
          return { kind: "gone", status: await this.waitExit(exitGraceMs) };
        case "error":
          throw new InternalError(r.message);
        case "timeout":
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
      }
    }
  }

  private async waitExit(timeoutMs: number): Promise<ExitStatus> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const left = deadline - performance.now();
      const status = waitProcess(
        this.pid,
        this.pidfd,
        Math.max(0, Math.ceil(Math.min(sliceMs, left))),
      );
      if (status.state !== "running" || left <= 0) {
        if (status.state !== "running") this.reaped();
        return status;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  }

  private reaped(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    releaseProcess(this.pidfd);
    this.channel.close();
  }

  /** Kills the program (its whole process group) and reaps it. Safe to call twice. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    killProcess(this.pid, this.pidfd);
    this.channel.close();
  }
}

type Received =
  | { kind: "message"; message: Message }
  | { kind: "timeout" }
  | { kind: "gone"; status: ExitStatus };

function errnoText(errno: number): string {
  switch (errno) {
    case 2:
      return "no such file";
    case 8:
      return "not an executable this system can run (exec format error)";
    case 13:
      return "permission denied (is it executable?)";
    case 20:
      return "a path component is not a directory";
    case 21:
      return "it is a directory";
    default:
      return `exec failed (errno ${errno})`;
  }
}

/**
 * glibc registers an rseq area into which the kernel writes the CPU the thread runs on: memory
 * that changes by itself, and differs between runs. Turning it off keeps program memory a
 * function of the program's steps (the checker compares states by their memory).
 */
/** The agent (native/src/agent/) restores fds from inside the program; LD_PRELOAD brings it. */
function preloadAgent(env: Readonly<Record<string, string>>): Record<string, string> {
  const current = env.LD_PRELOAD;
  return { LD_PRELOAD: current ? `${agentLibrary} ${current}` : agentLibrary };
}

function quietKernelWrites(env: Readonly<Record<string, string>>): Record<string, string> {
  const tunable = "glibc.pthread.rseq=0";
  const current = env.GLIBC_TUNABLES;
  return { GLIBC_TUNABLES: current ? `${current}:${tunable}` : tunable };
}

/** Main died of `signal` after every actor had finished. */
function crashAfterRun(signal: number): Outcome {
  return {
    kind: "violation",
    violation: {
      kind: "crash",
      message: `the program was killed by ${
        describeSignal(signal)
      } after every actor had finished (after isomc_run returned)`,
      actor: null,
    },
  };
}
