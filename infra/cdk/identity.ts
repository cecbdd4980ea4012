/**
 * Who the callers are: a Cognito user pool (customers sign themselves up with their email;
 * staff, drivers and operators are created by an operator), its role groups, and one app
 * client for the web and mobile apps. The local stack runs the same model on its emulator
 * (local/cognito, seeded by local/stack.ts).
 *
 * Role model (domain/party.ts, the one policy): the groups are `ROLE_GROUPS`; a store's staff are
 * in `stores` and in exactly one `store:<storeId>` (`storeGroup()`). AppSync exposes the token's
 * `cognito:groups` as `ctx.identity.groups`, and Amplify's generateClient() sends the *access*
 * token, which carries no custom attributes, so the store id rides in a group rather than in
 * `custom:storeId`.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROLE_GROUPS, storeGroup, type Role } from '../../domain/party.js';
import { OUTPUT } from './outputs.js';

/**
 * Cognito group precedence (lower wins where a user is in several groups, e.g. for
 * `cognito:preferred_role`): the order in which partyOf() reads the groups, customers last.
 */
const PRECEDENCE: Readonly<Record<Role, number>> = { operator: 1, store: 2, driver: 3, customer: 4 };

export interface IdentityProps {
  /** The tables' policy: RETAIN in prod, DESTROY elsewhere (config.retention). */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Stores whose staff group (`store:<storeId>`) the stack creates, so their staff can be added
   * right after the deploy (infra/README.md). The group of every other store is created when an
   * operator onboards it (createStore, functions/manage-stores.ts). @default none
   */
  readonly storeIds?: readonly string[];
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The AppSync auth mode that accepts this pool's tokens from the app client (the API's default mode). */
  readonly authorizationMode: appsync.AuthorizationMode;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${stack.stackName}-users`,
      selfSignUpEnabled: true,
      // The email is the username (Amplify's `loginWith: { email: true }`), verified by a code.
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      userVerification: { emailStyle: cognito.VerificationEmailStyle.CODE },
      standardAttributes: { email: { required: true, mutable: true } },
      // Cognito's default policy, stated: the local emulator enforces the same one.
      passwordPolicy: {
        minLength: 8,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // TOTP for whoever wants it (staff and operators should); no SMS, so no SNS role or cost.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    // A confirmed self sign-up joins `customers` through the PostConfirmation trigger (the
    // manifest's `postConfirmation` function, attached by addTrigger below), so a customer's
    // token names the role as staff's and drivers' do.
    for (const [role, groupName] of Object.entries(ROLE_GROUPS) as [Role, string][]) {
      this.userPool.addGroup(`${groupName.charAt(0).toUpperCase()}${groupName.slice(1)}Group`, {
        groupName,
        precedence: PRECEDENCE[role],
      });
    }
    for (const storeId of props.storeIds ?? []) {
      // No precedence: a store group only names the store of someone in `stores`.
      this.userPool.addGroup(`StoreGroup${storeId.replace(/[^A-Za-z0-9]/g, '')}`, {
        groupName: storeGroup(storeId),
        description: `Staff of store ${storeId} (also in ${ROLE_GROUPS.store})`,
      });
    }
    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: `${stack.stackName}-app`,
      // Amplify's default flow (SRP) and refresh; no password ever leaves the device, no secret in the app.
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.authorizationMode = {
      authorizationType: appsync.AuthorizationType.USER_POOL,
      userPoolConfig: { userPool: this.userPool, appIdClientRegex: `^${this.client.userPoolClientId}$` },
    };
    new CfnOutput(stack, OUTPUT.userPoolId, { value: this.userPool.userPoolId });
    new CfnOutput(stack, OUTPUT.userPoolClientId, { value: this.client.userPoolClientId });
  }

  /**
   * Makes `fn` the pool's trigger (its LambdaConfig, and Cognito's permission to invoke it). The
   * function's own grant on the pool is the manifest plan's (`triggeringUserPool`, bind-env.ts):
   * a pool ARN in the function's policy would close a cycle, as the pool names the function.
   */
  addTrigger(trigger: 'postConfirmation', fn: lambda.IFunction): void {
    const operation = { postConfirmation: cognito.UserPoolOperation.POST_CONFIRMATION }[trigger];
    this.userPool.addTrigger(operation, fn);
  }
}
