/** Mutation.assignStaff → Lambda data source (functions/manage-stores.ts, operators only); typed errors via lib/store-mutation. */
import type { Context, LambdaRequest } from '@aws-appsync/utils';
import { invokeMutation } from './lib/lambda-mutation.js';
import { storeMutationResult } from './lib/store-mutation.js';

export function request(ctx: Context): LambdaRequest {
  return invokeMutation(ctx);
}

export function response(ctx: Context): unknown {
  return storeMutationResult(ctx);
}
