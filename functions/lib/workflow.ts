/**
 * The contract between the mutation handlers and the order workflow (workflow/order.asl.json):
 * the execution input, the outputs that resume each wait, and the error that cancels one.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  TaskTimedOut,
  InvalidToken,
  TaskDoesNotExist,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { CoordinatesValue } from '../../domain/order.js';

/**
 * The execution input: what the workflow's tasks need of the order besides its id, so that no
 * task reads the order for it (the delivery wait routes from the store to `deliveryCoordinates`).
 * Neither changes after the order is placed.
 */
export interface WorkflowInput {
  readonly orderId: string;
  readonly storeId: string;
  readonly deliveryCoordinates: CoordinatesValue;
  readonly timeouts: { readonly storeDecisionSeconds: number; readonly pickupSeconds: number; readonly deliverySeconds: number };
}

/** Output of the AwaitStoreDecision task; the workflow's Choice reads `decision`. */
export interface StoreDecisionOutput {
  readonly decision: 'ACCEPT' | 'DECLINE';
}

export interface PickupOutput {
  readonly driverId: string;
}

export interface DeliveryOutput {
  readonly deliveredAt: string;
}

/** The ASL error a cancelled order fails its wait with (matched by a Catch). */
export const ORDER_CANCELLED_ERROR = 'Order.Cancelled';

export type TaskResume =
  | { readonly kind: 'success'; readonly output: StoreDecisionOutput | PickupOutput | DeliveryOutput }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string };

/**
 * Resumes a waiting task. A token the workflow no longer waits on (it timed out, or the
 * execution ended) is not an error for the caller: the order's state is already decided by the
 * guarded write, and the workflow's own timeout path reconciles with it.
 */
export async function resumeTask(sfn: SFNClient, token: string, resume: TaskResume, log: (msg: string) => void): Promise<void> {
  try {
    if (resume.kind === 'success') {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(resume.output) }));
    } else {
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: resume.error, cause: resume.cause }));
    }
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof InvalidToken || error instanceof TaskDoesNotExist) {
      log(`workflow task no longer waiting (${error.name}); order state stands`);
      return;
    }
    throw error;
  }
}
