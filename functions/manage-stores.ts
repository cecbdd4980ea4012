/**
 * Mutation.createStore, setStoreOpen and assignStaff: operators run the stores as data, no deploy.
 * One Lambda for the three fields (the resolver sends `{ field, input, caller }`): they share the
 * operator check, the Stores table and the onboarding clients.
 *
 * createStore onboards the store first (its queue, dead-letter queue, filtered subscription and
 * staff group: functions/lib/stores.ts, idempotent) and writes its row last, so a store that can
 * be ordered from always receives its alerts; a failed onboarding leaves no row and is retried.
 */
import { randomInt } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { requireParty } from '../domain/authorize.js';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors.js';
import { partyOf, ROLE_GROUPS, STORE_GROUP_PREFIX, storeGroup, type Party } from '../domain/party.js';
import {
  parseAssignStaff,
  parseCreateStore,
  parseSetStoreOpen,
  type AssignStaffCommand,
  type CreateStoreCommand,
  type SetStoreOpenCommand,
} from '../domain/validation.js';
import { documentClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { parseMutationEvent } from './lib/event.js';
import { logger } from './lib/logger.js';
import { DEAD_LETTER_STORE_ID, fitsQueueName, StoreOnboarding, StoreRepository, type StoreRecord } from './lib/stores.js';
import { userPoolAdmin, UserPoolError, type UserPoolAdmin } from './lib/user-pool.js';

export const ENV = ['STORES_TABLE', 'STORE_TOPIC_ARN', 'STORE_QUEUE_PREFIX', 'USER_POOL_ID'] as const;

export interface ManageStoresDeps {
  readonly stores: Pick<StoreRepository, 'get' | 'create' | 'setOpen'>;
  readonly onboarding: Pick<StoreOnboarding, 'onboard'>;
  readonly userPool: UserPoolAdmin;
  /** The queue name prefix, to refuse a store id too long for its queue names (or reserved). */
  readonly queuePrefix: string;
  readonly newStoreId: () => string;
}

export interface StaffAssignment {
  readonly storeId: string;
  readonly username: string;
}

/** What the resolver (resolvers/lib/lambda-mutation.ts) turns into the field value or a typed error. */
export type StoreMutationResult =
  | { readonly ok: true; readonly value: StoreRecord | StaffAssignment }
  | { readonly ok: false; readonly error: { readonly errorType: string; readonly message: string; readonly info: unknown } };

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 21 random letters and digits (the seed store's id has this shape): ~125 bits. */
export function generateStoreId(): string {
  let id = '';
  for (let i = 0; i < 21; i += 1) id += ID_ALPHABET.charAt(randomInt(ID_ALPHABET.length));
  return id;
}

const taken = (storeId: string) => new ValidationError('storeId', `store ${storeId} already exists`);

export async function createStore(command: CreateStoreCommand, party: Party, deps: ManageStoresDeps): Promise<StoreRecord> {
  requireParty(party, 'operator', 'create a store');
  const storeId = command.storeId ?? deps.newStoreId();
  if (!fitsQueueName(deps.queuePrefix, storeId))
    throw new ValidationError('storeId', `is too long for this deployment\u2019s queue names, or reserved ("${DEAD_LETTER_STORE_ID}")`);
  // A given id must be new: refused before anything is created for it.
  if (command.storeId !== null && (await deps.stores.get(storeId)) !== null) throw taken(storeId);
  await deps.onboarding.onboard(storeId);
  const store: StoreRecord = { storeId, name: command.name, coordinates: command.coordinates, open: true };
  // Two operators racing for one id: both onboard (harmless), one row wins.
  if (!(await deps.stores.create(store))) throw taken(storeId);
  return store;
}

export async function setStoreOpen(command: SetStoreOpenCommand, party: Party, deps: ManageStoresDeps): Promise<StoreRecord> {
  requireParty(party, 'operator', 'open or close a store');
  const store = await deps.stores.setOpen(command.storeId, command.open);
  if (store === null) throw new NotFoundError('store', command.storeId);
  return store;
}

/**
 * Puts the account in `stores` and `store:<storeId>`, and out of every other store's group (staff
 * of two stores would be no party at all). Group changes reach the user's tokens at their next
 * sign-in or refresh. Removal comes first: a user caught half-way is in one store group or none.
 */
export async function assignStaff(command: AssignStaffCommand, party: Party, deps: ManageStoresDeps): Promise<StaffAssignment> {
  requireParty(party, 'operator', 'assign staff');
  if ((await deps.stores.get(command.storeId)) === null) throw new NotFoundError('store', command.storeId);
  let groups: string[];
  try {
    groups = await deps.userPool.groupsOf(command.username);
  } catch (error) {
    if (error instanceof UserPoolError && error.code === 'UserNotFoundException') throw new NotFoundError('user', command.username);
    throw error;
  }
  const target = storeGroup(command.storeId);
  for (const group of groups) {
    if (group.startsWith(STORE_GROUP_PREFIX) && group !== target) await deps.userPool.removeFromGroup(command.username, group);
  }
  await deps.userPool.addToGroup(command.username, target);
  await deps.userPool.addToGroup(command.username, ROLE_GROUPS.store);
  return { storeId: command.storeId, username: command.username };
}

type Operation = (input: unknown, party: Party, deps: ManageStoresDeps) => Promise<StoreRecord | StaffAssignment>;

/** The fields this function serves (manifest: the ManageStoresFunction data source's resolvers). */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['createStore', (input, party, deps) => createStore(parseCreateStore(input), party, deps)],
  ['setStoreOpen', (input, party, deps) => setStoreOpen(parseSetStoreOpen(input), party, deps)],
  ['assignStaff', (input, party, deps) => assignStaff(parseAssignStaff(input), party, deps)],
]);

const env = lazyEnv(ENV);
const log = logger('manageStores');
let deps: ManageStoresDeps | undefined;

function defaultDeps(): ManageStoresDeps {
  const e = env();
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region === undefined) throw new Error('environment variable AWS_REGION is not set');
  const userPool = userPoolAdmin({ userPoolId: e.USER_POOL_ID, region });
  return {
    stores: new StoreRepository(documentClient(), e.STORES_TABLE),
    onboarding: new StoreOnboarding(
      { sqs: new SQSClient({}), sns: new SNSClient({}), userPool },
      { topicArn: e.STORE_TOPIC_ARN, queuePrefix: e.STORE_QUEUE_PREFIX },
    ),
    userPool,
    queuePrefix: e.STORE_QUEUE_PREFIX,
    newStoreId: generateStoreId,
  };
}

export const handler = async (event: unknown): Promise<StoreMutationResult> => {
  try {
    const { field, input, caller } = parseMutationEvent(event);
    const operation = OPERATIONS.get(field);
    if (operation === undefined) throw new Error(`manageStores does not serve field ${field}`);
    const value = await operation(input, partyOf(caller), (deps ??= defaultDeps()));
    log.info(`${field} done`, { storeId: value.storeId });
    return { ok: true, value };
  } catch (error) {
    // Domain errors travel as data (typed GraphQL errors); anything else is Lambda's to report.
    if (error instanceof DomainError) {
      return { ok: false, error: { errorType: error.errorType, message: error.message, info: error.info } };
    }
    throw error;
  }
};
