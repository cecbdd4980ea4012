/**
 * Task tokens (`$$.Task.Token`): minting, and the registry SendTaskSuccess/Failure/Heartbeat look
 * them up in. A token is open while its task waits, then closed; a closed token is kept until its
 * execution is forgotten, so a reused token is answered as AWS answers it.
 */
import { randomBytes } from 'node:crypto';
import { SfnApiError } from './errors.js';

/** AWS limit on a task token's length (SendTask* reject longer ones with a ValidationException). */
export const MAX_TOKEN_LENGTH = 2048;

/** Random bytes per token: 382 encode to 512 characters of standard base64, ending in `==`. */
const TOKEN_BYTES = 382;

/**
 * A fresh, unguessable token in AWS's alphabet: standard base64 (`A–Z a–z 0–9 + /`, `=` padding),
 * never base64url, and always with at least one `+` and one `/`, so a client that mangles them
 * (an unencoded query string turns `+` into a space) fails here as it would on AWS. Drawing again
 * when one is missing leaves the token uniform among such tokens; with 510 random characters a
 * second draw is practically never needed.
 */
export function mintToken(): string {
  for (;;) {
    const token = randomBytes(TOKEN_BYTES).toString('base64');
    if (token.includes('+') && token.includes('/')) return token;
  }
}

/** @typeParam T what an open token leads to (the waiting task) */
export class TaskTokens<T> {
  private readonly open = new Map<string, T>();
  /** Tokens of tasks that are over (succeeded, failed, timed out, aborted): answered with TaskTimedOut. */
  private readonly closed = new Set<string>();

  register(token: string, task: T): void {
    this.open.set(token, task);
  }

  /**
   * The task waiting on `token`. A token that was never issued is InvalidToken; one whose task is
   * over (completed, failed, timed out, or its execution stopped) is TaskTimedOut, which is what
   * AWS answers to a reused token.
   */
  lookup(token: unknown): T {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new SfnApiError(
        'ValidationException',
        `1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and ${MAX_TOKEN_LENGTH}`,
      );
    }
    const task = this.open.get(token);
    if (task !== undefined) return task;
    if (this.closed.has(token)) throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    throw new SfnApiError('InvalidToken', 'Invalid Token: the token was not issued by this endpoint');
  }

  close(token: string): void {
    this.open.delete(token);
    this.closed.add(token);
  }

  /** Forgets closed tokens (of executions no longer kept): they become InvalidToken. */
  release(tokens: Iterable<string>): void {
    for (const token of tokens) this.closed.delete(token);
  }
}
