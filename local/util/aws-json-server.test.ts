import { afterEach, describe, expect, it } from 'vitest';
import { startAwsJsonServer, type AwsJsonServer, type AwsJsonOperation, type AwsJsonServerOptions } from './aws-json-server.js';

class NotFoundError extends Error {
  readonly code = 'ThingNotFound';
}

const isObject = (body: unknown): body is Record<string, unknown> => typeof body === 'object' && body !== null && !Array.isArray(body);

let server: AwsJsonServer | undefined;
const logged: string[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  logged.length = 0;
});

async function start(
  operations: Record<string, AwsJsonOperation>,
  maxBodyBytes?: number,
  extras: Pick<AwsJsonServerOptions<Record<string, unknown>>, 'documents' | 'cors' | 'authorize'> = {},
): Promise<AwsJsonServer> {
  server = await startAwsJsonServer({
    service: 'Things',
    logTag: 'things',
    protocol: '1.1',
    targetPrefix: 'Things_20240101.',
    operations: new Map(Object.entries(operations)),
    parseRequest: (body) => (isObject(body) ? body : undefined),
    toErrorResponse: (error) => (error instanceof NotFoundError ? { code: error.code, message: error.message } : undefined),
    port: 0,
    logger: (line) => logged.push(line),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...extras,
  });
  return server;
}

async function call(
  url: string,
  target: string | undefined,
  body: string,
  method = 'POST',
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(target === undefined ? {} : { 'x-amz-target': target }) },
    ...(method === 'GET' ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe('startAwsJsonServer', () => {
  it('dispatches on X-Amz-Target to the named operation and answers its result as AWS JSON', async () => {
    const { url } = await start({ GetThing: (request) => ({ Thing: { Id: request.Id } }) });

    const response = await call(url, 'Things_20240101.GetThing', '{"Id":"t1"}');

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ Thing: { Id: 't1' } });
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('treats an empty body as an empty request', async () => {
    const { url } = await start({ ListThings: (request) => ({ received: request }) });

    expect((await call(url, 'Things_20240101.ListThings', '')).json).toEqual({ received: {} });
  });

  it('answers a typed error with its code as __type and x-amzn-errortype', async () => {
    const { url } = await start({
      GetThing: () => {
        throw new NotFoundError('Thing t1 not found.');
      },
    });

    const response = await call(url, 'Things_20240101.GetThing', '{}');

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ __type: 'ThingNotFound', message: 'Thing t1 not found.' });
    expect(response.headers.get('x-amzn-errortype')).toBe('ThingNotFound');
  });

  it('answers an unexpected error 500 without its text, and logs it', async () => {
    const { url } = await start({
      GetThing: () => {
        throw new Error('secret internals');
      },
    });

    const response = await call(url, 'Things_20240101.GetThing', '{}');

    expect(response.status).toBe(500);
    expect(response.json).toEqual({ __type: 'InternalFailure', message: 'Internal error in the local Things endpoint.' });
    expect(logged.join('\n')).toContain('[things] internal error: Error: secret internals');
  });

  it('answers UnknownOperationException for a target it does not serve, or of another service', async () => {
    const { url } = await start({ GetThing: () => ({}) });

    for (const target of ['Things_20240101.DeleteThing', 'Other.GetThing', undefined]) {
      const response = await call(url, target, '{}');
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        __type: 'UnknownOperationException',
        message: `The local Things endpoint does not support ${String(target)}.`,
      });
    }
    expect(logged).toContain('[things] unsupported operation Things_20240101.DeleteThing');
  });

  it('answers SerializationException for a body that is not a JSON object', async () => {
    const { url } = await start({ GetThing: () => ({}) });

    for (const body of ['{not json', '[1,2]', '"text"']) {
      const response = await call(url, 'Things_20240101.GetThing', body);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ __type: 'SerializationException' });
    }
  });

  it('refuses a body over the limit with 413 ValidationException', async () => {
    const { url } = await start({ PutThing: () => ({}) }, 64);

    const response = await call(url, 'Things_20240101.PutThing', JSON.stringify({ Value: 'x'.repeat(100) }));

    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ __type: 'ValidationException' });
  });

  it('serves POST only', async () => {
    const { url } = await start({ GetThing: () => ({}) });

    const response = await call(url, 'Things_20240101.GetThing', '', 'GET');

    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('serves its documents on GET as application/json, built from its url, and 404 for other paths', async () => {
    const { url } = await start({ GetThing: () => ({}) }, undefined, {
      documents: new Map([['/pool/.well-known/config', (serverUrl: string) => ({ issuer: `${serverUrl}/pool` })]]),
    });

    const found = await fetch(`${url}/pool/.well-known/config?x=1`);
    const missing = await call(`${url}/other/.well-known/config`, undefined, '', 'GET');

    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toBe('application/json');
    expect(await found.json()).toEqual({ issuer: `${url}/pool` });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ __type: 'UnknownOperationException' });
    expect((await call(url, 'Things_20240101.GetThing', '{}')).status).toBe(200);
  });

  it('with cors, answers a preflight with 204 allowing the requested headers, and opens every response', async () => {
    const { url } = await start({ GetThing: () => ({}) }, undefined, { cors: true });

    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target,x-custom',
      },
    });
    const ok = await call(url, 'Things_20240101.GetThing', '{}');
    const failed = await call(url, 'Things_20240101.Nope', '{}');

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-target,x-custom');
    for (const response of [ok, failed]) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-expose-headers')).toContain('x-amzn-errortype');
    }
  });

  it('with a cors policy, names an allowed origin and refuses another with 403 before the operation runs', async () => {
    const ran: unknown[] = [];
    const { url } = await start({ PutThing: (request) => void ran.push(request) }, undefined, {
      cors: { allows: (req) => req.headers.origin === 'http://127.0.0.1:4000' },
    });
    const from = (origin: string) =>
      fetch(url, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Things_20240101.PutThing' },
        body: '{"Id":"t1"}',
      });

    const allowed = await from('http://127.0.0.1:4000');
    const foreign = await from('https://elsewhere.example');
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example' } });

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4000');
    expect(allowed.headers.get('vary')).toBe('origin');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await foreign.json()).toMatchObject({ __type: 'ForbiddenException' });
    expect(preflight.status).toBe(403);
    expect(ran).toEqual([{ Id: 't1' }]);
  });

  it('lets authorize refuse a request, given what a signature covers, before the operation runs', async () => {
    const seen: unknown[] = [];
    const ran: unknown[] = [];
    const { url } = await start({ PutThing: (request) => void ran.push(request) }, undefined, {
      authorize: (request) => {
        seen.push({ ...request, headers: { target: request.headers['x-amz-target'] } });
        return { code: 'AccessDeniedException', message: 'no' };
      },
    });

    const refused = await call(`${url}/?a=1`, 'Things_20240101.PutThing', '{"Id":"t1"}');

    expect(refused).toMatchObject({ status: 400, json: { __type: 'AccessDeniedException', message: 'no' } });
    expect(refused.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(seen).toEqual([
      {
        operation: 'PutThing',
        headers: { target: 'Things_20240101.PutThing' },
        method: 'POST',
        path: '/',
        query: 'a=1',
        body: '{"Id":"t1"}',
        remoteAddress: expect.any(String),
      },
    ]);
    expect(ran).toEqual([]);
  });

  it('without cors, adds no CORS header and does not answer a preflight', async () => {
    const { url } = await start({ GetThing: () => ({}) });

    const preflight = await fetch(url, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });

    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await call(url, 'Things_20240101.GetThing', '{}')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses connections once closed, and close is idempotent', async () => {
    const running = await start({ GetThing: () => ({}) });

    await Promise.all([running.close(), running.close()]);

    await expect(fetch(running.url, { method: 'POST' })).rejects.toThrow();
  });
});
