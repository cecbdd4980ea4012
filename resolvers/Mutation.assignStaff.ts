/** Mutation.assignStaff → Lambda data source (functions/manage-stores.ts, operators only); typed errors via lib/lambda-mutation. */
import type { Context, LambdaRequest } from '@aws-appsync/utils';
import { invokeMutation, storeMutationResult } from './lib/lambda-mutation.js';

export function request(ctx: Context): LambdaRequest {
  return invokeMutation(ctx);
}

export function response(ctx: Context): unknown {
  return storeMutationResult(ctx);
}
