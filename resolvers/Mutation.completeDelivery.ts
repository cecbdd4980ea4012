/** Mutation.completeDelivery → Lambda data source (functions/ handler); typed errors via lib/lambda-mutation. */
import type { Context, LambdaRequest } from '@aws-appsync/utils';
import { invokeMutation, mutationResult } from './lib/lambda-mutation.js';

export function request(ctx: Context): LambdaRequest {
  return invokeMutation(ctx);
}

export function response(ctx: Context): unknown {
  return mutationResult(ctx);
}
