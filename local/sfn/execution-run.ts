/**
 * The live side of one execution while aws-local-stepfunctions runs it: its tasks, the calls under
 * way, the library's abort, and the context object's per-state values. Nothing here is kept once
 * the execution is closed; what outlives it is its ExecutionState in the store.
 *
 * Task tokens: `$$.Task.Token` is a getter on the context object. The library evaluates a state's
 * Parameters and calls the state's local handler in the same synchronous run, so a token minted
 * by the getter is claimed by that handler before any other code runs; a retry evaluates the
 * Parameters again and gets a fresh token, as on AWS.
 */
import type { ExecutionState, TaskPosition } from './execution-store.js';
import type { ExecutionHistory } from './history.js';
import type { RunningTask } from './task-runner.js';
import { mintToken } from './task-tokens.js';

export class ExecutionRun {
  readonly tasks = new Set<RunningTask>();
  /** Integration calls under way (for waitForIdle). */
  inFlight = 0;
  abort: (() => void) | undefined;
  /** Task handler invocations so far: the `seq` of each task's history events. */
  handlerCalls = 0;
  /** Settles once the library's events are all in the history. */
  consumerDone: Promise<void> = Promise.resolve();
  /** The Task attempt to resume after a restart: taken by the first handler call of its state. */
  resumedTask: TaskPosition | undefined;
  /** While a resumed Wait is entered again, its position (and deadline) is kept as it was. */
  resumedWait: string | undefined;
  /** Settles once the history is final (terminal event written). */
  readonly finalized: Promise<void>;
  resolveFinalized: () => void = () => {};
  private mintedToken: string | undefined;
  private enteredTime: string | undefined;

  constructor(
    readonly state: ExecutionState,
    readonly history: ExecutionHistory,
    /** Called after each change worth keeping across a restart (the state's position, its task). */
    readonly changed: () => void,
  ) {
    this.finalized = new Promise((resolve) => {
      this.resolveFinalized = resolve;
    });
  }

  /** `$$.Task.Token`: one token per synchronous evaluation of a state's Parameters. */
  currentToken(): string {
    if (this.mintedToken === undefined) {
      this.mintedToken = mintToken();
      queueMicrotask(() => {
        this.mintedToken = undefined;
      });
    }
    return this.mintedToken;
  }

  claimToken(): string | undefined {
    const token = this.mintedToken;
    this.mintedToken = undefined;
    return token;
  }

  /** `$$.State.EnteredTime`: evaluated in the same synchronous run that enters the state. */
  currentEnteredTime(): string {
    if (this.enteredTime === undefined) {
      this.enteredTime = new Date().toISOString();
      queueMicrotask(() => {
        this.enteredTime = undefined;
      });
    }
    return this.enteredTime;
  }
}
