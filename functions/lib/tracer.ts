/**
 * X-Ray tracing through Powertools Tracer: the SDK clients (functions/lib/clients.ts), outgoing
 * HTTP (the routing service, AppSync) and each invocation (`traced`). Active tracing is a CDK
 * function default (infra/cdk/stack.ts), which also grants xray:PutTraceSegments.
 *
 * Tracer turns itself off outside Lambda (no AWS_EXECUTION_ENV: the local stack runs the handlers
 * in its own process, where no X-Ray daemon listens): clients are returned as they are, no
 * segment is opened and nothing is sent anywhere. POWERTOOLS_TRACE_ENABLED=false turns it off
 * on Lambda too.
 */
// First: decides the X-Ray SDK's mode before Tracer loads it (see the module).
import './xray-mode.js';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { METRICS_SERVICE } from '../../domain/metrics.js';
import { logger, type InvocationLogger } from './logger.js';

export const tracer = new Tracer({ serviceName: METRICS_SERVICE });

/**
 * A Lambda handler with its invocation's logger (functions/lib/logger.ts: the Lambda context on
 * every line) and, when tracing is on, a `## source` subsegment annotated with the cold start and
 * the service, an error recorded on it. The body stays a plain function of the event.
 */
export function traced<E, R>(
  source: string,
  run: (event: E, log: InvocationLogger) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    const log = logger(source, context);
    if (!tracer.isTracingEnabled()) return run(event, log);
    const parent = tracer.getSegment();
    const segment = parent?.addNewSubsegment(`## ${source}`);
    if (segment !== undefined) tracer.setSegment(segment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await run(event, log);
    } catch (error) {
      if (error instanceof Error) tracer.addErrorAsMetadata(error);
      throw error;
    } finally {
      segment?.close();
      if (parent !== undefined) tracer.setSegment(parent);
    }
  };
}
