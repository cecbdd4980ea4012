/**
 * Step Functions' API throttling, for StartExecution: AWS's token bucket. Each call takes a token;
 * the bucket refills continuously at `refillPerSecond` up to `bucketSize`; a call that finds it
 * empty is refused with `ThrottlingException` (HTTP 400, "Rate exceeded"), which the SDK treats as
 * a throttling error (retried with its backoff, then thrown as a ThrottlingException).
 *
 * AWS's standard-workflow quota ("Quotas related to API action throttling", Step Functions service
 * quotas): StartExecution bucket 1,300 refilled at 300/s in us-east-1, us-west-2 and eu-west-1,
 * 800 at 150/s in every other region. The local endpoint does not throttle unless told to
 * (`startExecutionRate`): a test sets a tiny rate to make a burst larger than the bucket.
 */
import { SfnApiError } from './errors.js';

export interface TokenBucketRate {
  /** Tokens the bucket holds when full (the burst). At least 1. */
  readonly bucketSize: number;
  /** Tokens added per second, continuously. Above 0. */
  readonly refillPerSecond: number;
}

/** AWS's StartExecution bucket in us-east-1, us-west-2 and eu-west-1 (standard workflows). */
export const AWS_START_EXECUTION_RATE: TokenBucketRate = { bucketSize: 1300, refillPerSecond: 300 };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: TokenBucketRate,
    /** Milliseconds; injectable for tests. */
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate.bucketSize >= 1) || !(rate.refillPerSecond > 0) || !Number.isFinite(rate.refillPerSecond))
      throw new RangeError(`a token bucket needs bucketSize ≥ 1 and a finite refillPerSecond > 0, got ${JSON.stringify(rate)}`);
    this.tokens = rate.bucketSize;
    this.updatedAt = now();
  }

  /** Takes a token if there is one. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.rate.bucketSize, this.tokens + ((now - this.updatedAt) / 1000) * this.rate.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The error AWS answers a throttled call with. */
export function throttlingError(): SfnApiError {
  return new SfnApiError('ThrottlingException', 'Rate exceeded');
}
