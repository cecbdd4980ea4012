/**
 * Writes `amplify-config.json` from a deployed stack's outputs, in the shape the local stack
 * writes (`Amplify.configure()` of aws-amplify v6 accepts it unchanged), so every client works
 * against either target; and beside it the mobile libraries' `amplify_outputs.json` (Gen 2) and
 * `amplifyconfiguration.json` (Gen 1), built by client/amplify-files.ts as `npm start` builds them.
 *
 *   npx cdk deploy --outputs-file cdk-outputs.json
 *   npx tsx infra/scripts/amplify-config.ts [--outputs cdk-outputs.json] [--stack ServerlessPizza-dev] [--out amplify-config.json]
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAmplifyFiles, type ClientEndpoints } from '../../client/amplify-files.js';
import { OUTPUT } from '../cdk/outputs.js';
import { parseFlags, readStackOutputs, requireOutput, StackOutputsError, type StackOutputs } from './stack-outputs.js';

/**
 * The deployed API's config: AppSync serves HTTPS and WSS itself, so no split endpoint is needed,
 * and Cognito is reached at its regional endpoint (no `userPoolEndpoint`). Requests go with the
 * signed-in user's token by default; the API key stays for the one public field, listStores
 * (`generateClient({ authMode: 'apiKey' })` before anyone signs in).
 */
export interface DeployedAmplifyConfig {
  readonly API: {
    readonly GraphQL: {
      readonly endpoint: string;
      readonly region: string;
      readonly defaultAuthMode: 'userPool';
      readonly apiKey: string;
    };
  };
  readonly Auth: {
    readonly Cognito: {
      readonly userPoolId: string;
      readonly userPoolClientId: string;
      readonly loginWith: { readonly email: true };
      readonly signUpVerificationMethod: 'code';
    };
  };
}

export function amplifyConfigFromOutputs(outputs: StackOutputs): DeployedAmplifyConfig {
  const endpoint = requireOutput(outputs, OUTPUT.graphqlUrl);
  if (!/^https:\/\/[^/]+\/graphql$/.test(endpoint))
    throw new StackOutputsError(`output ${OUTPUT.graphqlUrl} is not an https …/graphql URL: ${endpoint}`);
  const region = requireOutput(outputs, OUTPUT.region);
  const userPoolId = requireOutput(outputs, OUTPUT.userPoolId);
  // Amplify takes the region from the pool id; a pool of another region would fail at sign-in.
  if (!userPoolId.startsWith(`${region}_`))
    throw new StackOutputsError(`output ${OUTPUT.userPoolId} is not a user pool of ${region}: ${userPoolId}`);
  return {
    API: {
      GraphQL: {
        endpoint,
        region,
        defaultAuthMode: 'userPool',
        apiKey: requireOutput(outputs, OUTPUT.apiKey),
      },
    },
    Auth: {
      Cognito: {
        userPoolId,
        userPoolClientId: requireOutput(outputs, OUTPUT.userPoolClientId),
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  };
}

/** The deployed API and user pool as the mobile config files describe them (no local endpoints). */
export function clientEndpointsFromConfig(config: DeployedAmplifyConfig): ClientEndpoints {
  return {
    graphqlUrl: config.API.GraphQL.endpoint,
    region: config.API.GraphQL.region,
    apiKey: config.API.GraphQL.apiKey,
    userPoolId: config.Auth.Cognito.userPoolId,
    userPoolClientId: config.Auth.Cognito.userPoolClientId,
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, ['outputs', 'stack', 'out']);
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const outputs = await readStackOutputs(resolve(root, flags.outputs ?? 'cdk-outputs.json'), flags.stack);
  const file = resolve(root, flags.out ?? 'amplify-config.json');
  const config = amplifyConfigFromOutputs(outputs);
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  const mobile = await writeAmplifyFiles(dirname(file), clientEndpointsFromConfig(config));
  process.stdout.write(`wrote ${file}\nwrote ${mobile.outputs}\nwrote ${mobile.configuration}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  });
}
