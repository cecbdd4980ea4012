/**
 * Calls to the local user pool over its wire protocol, for its protocol tests: admin operations
 * are SigV4-signed (service `cognito-idp`) with the local credentials unless a test says
 * otherwise, as the SDK signs them; public operations go unsigned, as Amplify sends them.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { IAM_OPERATIONS, SIGV4_SERVICE } from './iam.js';
import { TARGET_PREFIX, type OperationName } from './protocol.js';

export interface PoolReply {
  readonly status: number;
  readonly errorType: string | null;
  readonly body: Record<string, unknown>;
}

export interface CallOptions {
  /** Who signs; `null` sends the request unsigned. @default LOCAL_CREDENTIALS for an admin operation, else null */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | null;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Extra headers (e.g. `origin`), sent unsigned. */
  readonly headers?: Readonly<Record<string, string>>;
}

export async function callPool(endpoint: string, operation: string, body: object, options: CallOptions = {}): Promise<PoolReply> {
  const text = JSON.stringify(body);
  const url = new URL(endpoint);
  const admin = (IAM_OPERATIONS as ReadonlySet<string>).has(operation as OperationName);
  const credentials = options.credentials === undefined ? (admin ? LOCAL_CREDENTIALS : null) : options.credentials;
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `${TARGET_PREFIX}${operation}`,
  };
  if (credentials !== null) {
    const signer = new SignatureV4({ service: SIGV4_SERVICE, region: options.region ?? 'us-east-1', credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: '/',
      headers,
      body: text,
    });
    headers = signed.headers;
  }
  const { host: _host, ...sent } = headers;
  const response = await fetch(endpoint, { method: 'POST', headers: { ...sent, ...options.headers }, body: text });
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
