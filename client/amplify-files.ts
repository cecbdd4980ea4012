/**
 * The config files Amplify's mobile libraries load, built from one description of the API and
 * its user pool, for the local stack (local/client-files.ts) and a deployed one
 * (infra/scripts/amplify-config.ts):
 *
 * - `amplify_outputs.json`: Gen 2 (Swift, Android, Flutter, and aws-amplify v6 in JS), checked
 *   against amplify-backend's published schema (client/schemas/amplify_outputs.schema.json);
 * - `amplifyconfiguration.json`: Gen 1 (Swift, Android, Flutter), checked against a schema
 *   transcribed from amplify-backend's `ClientConfigMobile` type (none is published).
 *
 * Neither format has a place for a user-pool endpoint with a scheme and port (Gen 2's auth
 * section has none; Gen 1's `CognitoUserPool.Default.Endpoint` is an HTTPS host name on port
 * 443 for Swift and Android, and not in `ClientConfigMobile`), so the local Cognito URL (its
 * `https://` listener with `--tls`) goes only into Gen 2's free-form `custom` section, which no
 * library reads: a client that can take an endpoint (aws-amplify's `userPoolEndpoint`, Flutter's
 * `auth.user_pool_endpoint`) reads it from there. See the README's "Mobile apps".
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The Gen 2 format version written (the schema vendored in client/schemas/). */
export const AMPLIFY_OUTPUTS_VERSION = '1.5';
export const AMPLIFY_OUTPUTS_FILE = 'amplify_outputs.json';
export const AMPLIFY_CONFIGURATION_FILE = 'amplifyconfiguration.json';
/** The API's name in the Gen 1 file (`awsAPIPlugin.<name>`); mobile code names it when it has several. */
export const API_NAME = 'serverlessPizza';
const USER_AGENT = 'serverless-pizza/0.1.0';

/** What a client needs to reach the API and its user pool. */
export interface ClientEndpoints {
  /**
   * `http(s)://host[:port]/graphql`: queries and mutations. Each library derives the realtime URL
   * from it (for a host outside amazonaws.com: `/realtime` appended, over TLS for all but Swift,
   * which keeps the scheme; Android and Flutter drop the port): see the README's "Mobile apps".
   */
  readonly graphqlUrl: string;
  readonly region: string;
  /** Serves only `listStores` (signed out); every other field needs the user pool. */
  readonly apiKey: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** Local only: the emulator's URL (`https://` with its TLS listener). Absent on AWS, where each library derives Cognito's endpoint. */
  readonly userPoolEndpoint?: string;
  /** Local only: the realtime socket's URL (`ws://…/graphql/realtime`; `wss://` with the TLS listener). */
  readonly realtimeUrl?: string;
}

/** The local stack's endpoints, under `custom` in amplify_outputs.json (no library reads them). */
export interface LocalCustomOutputs {
  readonly user_pool_endpoint: string;
  readonly realtime_url?: string;
}

/** Gen 2 `amplify_outputs.json`: the sections this API has (data, auth). */
export interface AmplifyOutputs {
  readonly version: typeof AMPLIFY_OUTPUTS_VERSION;
  readonly auth: {
    readonly aws_region: string;
    readonly user_pool_id: string;
    readonly user_pool_client_id: string;
    readonly password_policy: {
      readonly min_length: number;
      readonly require_numbers: boolean;
      readonly require_lowercase: boolean;
      readonly require_uppercase: boolean;
      readonly require_symbols: boolean;
    };
    readonly username_attributes: readonly ['email'];
    readonly standard_required_attributes: readonly ['email'];
    readonly user_verification_types: readonly ['email'];
    readonly unauthenticated_identities_enabled: false;
    readonly mfa_configuration: 'NONE';
  };
  readonly data: {
    readonly aws_region: string;
    readonly url: string;
    readonly api_key: string;
    readonly default_authorization_type: 'AMAZON_COGNITO_USER_POOLS';
    readonly authorization_types: readonly ['API_KEY'];
  };
  readonly custom?: { readonly serverless_pizza_local: LocalCustomOutputs };
}

interface AppSyncAuthEntry {
  readonly ApiUrl: string;
  readonly Region: string;
  readonly AuthMode: 'AMAZON_COGNITO_USER_POOLS' | 'API_KEY';
  readonly ApiKey: string;
  readonly ClientDatabasePrefix: string;
}

/** Gen 1 `amplifyconfiguration.json` (the mobile libraries' format). */
export interface AmplifyConfiguration {
  readonly UserAgent: string;
  readonly Version: '1.0';
  readonly api: {
    readonly plugins: {
      readonly awsAPIPlugin: Readonly<
        Record<
          string,
          {
            readonly endpointType: 'GraphQL';
            readonly endpoint: string;
            readonly region: string;
            readonly authorizationType: 'AMAZON_COGNITO_USER_POOLS';
            readonly apiKey: string;
          }
        >
      >;
    };
  };
  readonly auth: {
    readonly plugins: {
      readonly awsCognitoAuthPlugin: {
        readonly UserAgent: string;
        readonly Version: '1.0';
        readonly CognitoUserPool: { readonly Default: { readonly PoolId: string; readonly AppClientId: string; readonly Region: string } };
        readonly Auth: {
          readonly Default: {
            readonly authenticationFlowType: 'USER_SRP_AUTH';
            readonly mfaConfiguration: 'OFF';
            readonly mfaTypes: readonly string[];
            readonly passwordProtectionSettings: {
              readonly passwordPolicyMinLength: number;
              readonly passwordPolicyCharacters: readonly string[];
            };
            readonly signupAttributes: readonly string[];
            readonly socialProviders: readonly string[];
            readonly usernameAttributes: readonly string[];
            readonly verificationMechanisms: readonly string[];
          };
        };
        readonly AppSync: { readonly Default: AppSyncAuthEntry } & Readonly<Record<string, AppSyncAuthEntry>>;
      };
    };
  };
}

/** The user pool's password policy, as infra/cdk/identity.ts sets it (and the local pool's demo password meets). */
const PASSWORD_POLICY = { min_length: 8, require_numbers: true, require_lowercase: true, require_uppercase: true, require_symbols: true };

export function amplifyOutputs(api: ClientEndpoints): AmplifyOutputs {
  return {
    version: AMPLIFY_OUTPUTS_VERSION,
    auth: {
      aws_region: api.region,
      user_pool_id: api.userPoolId,
      user_pool_client_id: api.userPoolClientId,
      password_policy: PASSWORD_POLICY,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      unauthenticated_identities_enabled: false,
      mfa_configuration: 'NONE',
    },
    data: {
      aws_region: api.region,
      url: api.graphqlUrl,
      api_key: api.apiKey,
      // Every party signs in; the API key serves the public store list only (IAM is the backend's).
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['API_KEY'],
    },
    ...(api.userPoolEndpoint === undefined
      ? {}
      : {
          custom: {
            serverless_pizza_local: {
              user_pool_endpoint: api.userPoolEndpoint,
              ...(api.realtimeUrl === undefined ? {} : { realtime_url: api.realtimeUrl }),
            },
          },
        }),
  };
}

export function amplifyConfiguration(api: ClientEndpoints): AmplifyConfiguration {
  const appSync = (authMode: AppSyncAuthEntry['AuthMode']): AppSyncAuthEntry => ({
    ApiUrl: api.graphqlUrl,
    Region: api.region,
    AuthMode: authMode,
    ApiKey: api.apiKey,
    ClientDatabasePrefix: `${API_NAME}_${authMode}`,
  });
  return {
    UserAgent: USER_AGENT,
    Version: '1.0',
    api: {
      plugins: {
        awsAPIPlugin: {
          [API_NAME]: {
            endpointType: 'GraphQL',
            endpoint: api.graphqlUrl,
            region: api.region,
            authorizationType: 'AMAZON_COGNITO_USER_POOLS',
            apiKey: api.apiKey,
          },
        },
      },
    },
    auth: {
      plugins: {
        awsCognitoAuthPlugin: {
          UserAgent: USER_AGENT,
          Version: '1.0',
          CognitoUserPool: { Default: { PoolId: api.userPoolId, AppClientId: api.userPoolClientId, Region: api.region } },
          Auth: {
            Default: {
              authenticationFlowType: 'USER_SRP_AUTH',
              mfaConfiguration: 'OFF',
              mfaTypes: [],
              passwordProtectionSettings: {
                passwordPolicyMinLength: PASSWORD_POLICY.min_length,
                passwordPolicyCharacters: ['REQUIRES_LOWERCASE', 'REQUIRES_UPPERCASE', 'REQUIRES_NUMBERS', 'REQUIRES_SYMBOLS'],
              },
              signupAttributes: ['EMAIL'],
              socialProviders: [],
              usernameAttributes: ['EMAIL'],
              verificationMechanisms: ['EMAIL'],
            },
          },
          // As Amplify's own Gen 1 writer: the API's auth modes for DataStore-style clients.
          AppSync: { Default: appSync('AMAZON_COGNITO_USER_POOLS'), [`${API_NAME}_API_KEY`]: appSync('API_KEY') },
        },
      },
    },
  };
}

/** Writes both files into `dir`; returns their paths. */
export async function writeAmplifyFiles(dir: string, api: ClientEndpoints): Promise<{ outputs: string; configuration: string }> {
  await mkdir(dir, { recursive: true });
  const outputs = join(dir, AMPLIFY_OUTPUTS_FILE);
  const configuration = join(dir, AMPLIFY_CONFIGURATION_FILE);
  await writeFile(outputs, `${JSON.stringify(amplifyOutputs(api), null, 2)}\n`);
  await writeFile(configuration, `${JSON.stringify(amplifyConfiguration(api), null, 2)}\n`);
  return { outputs, configuration };
}
