/**
 * Who the callers are: a Cognito user pool (customers sign themselves up with their email;
 * staff, drivers and operators are created by an operator), its role groups, and one app
 * client for the web and mobile apps. The local stack runs the same model on its emulator
 * (local/cognito, seeded by local/stack.ts).
 *
 * Role model: Cognito groups `customers`, `stores`, `drivers`, `operators`; a store's staff are
 * also in `store:<storeId>`. AppSync exposes the token's `cognito:groups` as `ctx.identity.groups`,
 * and Amplify's generateClient() sends the *access* token, which carries no custom attributes, so
 * the store id rides in a group rather than in `custom:storeId`.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { OUTPUT } from './outputs.js';

/** The role groups every pool has (store groups, `store:<storeId>`, are added per store by an operator). */
export const ROLE_GROUPS = ['customers', 'stores', 'drivers', 'operators'] as const;

export interface IdentityProps {
  /** The tables' policy: RETAIN in prod, DESTROY elsewhere (config.retention). */
  readonly removalPolicy: RemovalPolicy;
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The AppSync auth mode that accepts this pool's tokens (additional: the API key stays default for now). */
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
    for (const [precedence, groupName] of ROLE_GROUPS.entries()) {
      // Lower precedence wins where a user is in several groups: operators first.
      this.userPool.addGroup(`${groupName.charAt(0).toUpperCase()}${groupName.slice(1)}Group`, {
        groupName,
        precedence: ROLE_GROUPS.length - precedence,
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
}
