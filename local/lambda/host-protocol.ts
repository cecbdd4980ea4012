/**
 * What the invoker (the stack's main thread) and the Lambda host (a worker thread, host.ts) say
 * to each other: one InvokeMessage per invocation; HostMessages back, in arrays (one per
 * event-loop turn of the host). One port, so messages arrive in the order they were sent: an
 * invocation's console lines reach the main thread before its reply.
 */
import type { ConsoleMethod } from './log-sink.js';

/** The Lambda context's plain fields; the host adds the methods (`getRemainingTimeInMillis`). */
export interface ContextFields {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** main → host */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  /** The function's name: the host keeps one loaded handler per function, as Lambda a container. */
  readonly name: string;
  /** The manifest's entry, for error messages. */
  readonly entry: string;
  /** The handler module's file URL. */
  readonly url: string;
  readonly event: unknown;
  readonly context: ContextFields;
  /** The function's timeout, for `getRemainingTimeInMillis` (the main thread enforces it). */
  readonly timeoutMs: number;
  /**
   * Whether to send a StartedMessage once the handler is loaded and called: the main thread asks
   * until the function has answered once in this host, as its module may still be loading.
   */
  readonly announceStart: boolean;
}

/**
 * host → main, when asked (`announceStart`): the handler is loaded and called, and its timeout
 * starts (init is not counted, as on Lambda). A warm function's timeout runs from the invoke message.
 */
export interface StartedMessage {
  readonly type: 'started';
  readonly id: number;
}

/** host → main: one console call, formatted as Node's console formats it. */
export interface ConsoleMessage {
  readonly type: 'console';
  readonly method: ConsoleMethod;
  readonly text: string;
}

/** host → main: the handler's result, as JSON (`undefined` as `null`). */
export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly json: string;
}

/**
 * host → main: the invocation failed. `phase: 'init'` is the module's load (Runtime.ImportModuleError,
 * Runtime.HandlerNotFound); `'handler'` is the handler throwing or rejecting.
 */
export interface ErrorMessage {
  readonly type: 'error';
  readonly id: number;
  readonly phase: 'init' | 'handler';
  readonly errorType: string;
  readonly errorMessage: string;
}

export type HostMessage = StartedMessage | ConsoleMessage | ResultMessage | ErrorMessage;
