/**
 * Calls the AppSync GraphQL endpoint with IAM (SigV4, service "appsync") using the function's
 * own credentials from the default provider chain.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

export class GraphqlRequestError extends Error {
  override readonly name = 'GraphqlRequestError';
}

export interface GraphqlIamClient {
  request(query: string, variables: Record<string, unknown>): Promise<unknown>;
}

export function graphqlIamClient(url: string, region: string, fetchImpl: typeof fetch = globalThis.fetch): GraphqlIamClient {
  const signer = new SignatureV4({ service: 'appsync', region, credentials: defaultProvider(), sha256: Sha256 });
  const endpoint = new URL(url);
  return {
    async request(query, variables) {
      const body = JSON.stringify({ query, variables });
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port === '' ? undefined : Number(endpoint.port),
        path: endpoint.pathname,
        headers: { host: endpoint.host, 'content-type': 'application/json' },
        body,
      });
      const response = await fetchImpl(url, { method: 'POST', headers: signed.headers, body });
      const text = await response.text();
      if (!response.ok) throw new GraphqlRequestError(`GraphQL endpoint answered HTTP ${response.status}`);
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) throw new GraphqlRequestError('GraphQL response is not an object');
      if ('errors' in parsed && Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        const first: unknown = parsed.errors[0];
        const message = typeof first === 'object' && first !== null && 'message' in first ? String(first.message) : 'unknown error';
        throw new GraphqlRequestError(`GraphQL error: ${message}`);
      }
      return 'data' in parsed ? parsed.data : null;
    },
  };
}
