import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_KEY, headerProtocol, iamConnectHeaders, iamHeaders, postGraphQL, RawClient, startTestServer, type Frame } from './test-kit.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
const clients: RawClient[] = [];

function client(...args: ConstructorParameters<typeof RawClient>): RawClient {
  const c = new RawClient(...args);
  clients.push(c);
  return c;
}

/** A client authenticated the way Amplify ≥ 6.6 does it. */
function amplifyLike(): RawClient {
  return client(server.realtimeUrl, ['graphql-ws', headerProtocol({ host: `127.0.0.1:${server.port}`, 'x-api-key': API_KEY })]);
}

beforeAll(async () => {
  server = await startTestServer({ keepAliveMs: 100, connectionInitTimeoutMs: 300 });
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.stop();
});

const ON_THING = 'subscription S($id: ID, $owner: String) { onThing(id: $id, owner: $owner) { id owner status } }';

describe('realtime handshake', () => {
  it('refuses the socket to a page on another origin (403 at the upgrade), opens it for its own', async () => {
    const before = server.publishStats().connections;
    const foreign = client(server.realtimeUrl, ['graphql-ws'], { origin: 'https://evil.example' });
    await expect(foreign.opened).rejects.toThrow('Unexpected server response: 403');
    expect(server.publishStats().connections).toBe(before);
    expect(server.logs).toContain('realtime upgrade refused: origin https://evil.example not allowed');
    const own = client(server.realtimeUrl, ['graphql-ws', headerProtocol({ host: `localhost:${server.port}`, 'x-api-key': API_KEY })], {
      origin: `http://localhost:${server.port}`,
    });
    expect(await own.init()).toMatchObject({ type: 'connection_ack' });
  });

  it('opens the socket for an origin configured explicitly, and for a client that sends no Origin', async () => {
    const other = await startTestServer({ corsOrigins: ['https://studio.apollographql.com'] });
    const auth = headerProtocol({ host: `127.0.0.1:${other.port}`, 'x-api-key': API_KEY });
    try {
      const studio = client(other.realtimeUrl, ['graphql-ws', auth], { origin: 'https://studio.apollographql.com' });
      expect(await studio.init()).toMatchObject({ type: 'connection_ack' });
      const node = client(other.realtimeUrl, ['graphql-ws', auth]);
      expect(await node.init()).toMatchObject({ type: 'connection_ack' });
      const sandbox = client(other.realtimeUrl, ['graphql-ws', auth], { origin: 'https://sandbox.embed.apollographql.com' });
      await expect(sandbox.opened).rejects.toThrow('Unexpected server response: 403');
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await other.stop();
    }
  });

  it('selects graphql-ws and never echoes the header- subprotocol', async () => {
    const c = amplifyLike();
    await c.opened;
    expect(c.ws.protocol).toBe('graphql-ws');
  });

  /**
   * Keep-alive tests fake only the server's setInterval (nothing else in the server or in ws
   * uses it), so ticks happen when the test advances time; a repeated connection_init, which the
   * server re-acknowledges, is the marker that every earlier frame has arrived (one socket, in order).
   */
  const kaCount = (c: RawClient) => c.frames.filter((f) => f.type === 'ka').length;
  /** Call only once every earlier connection_init has been acknowledged. */
  async function flush(c: RawClient): Promise<void> {
    const isAck = (f: Frame) => f.type === 'connection_ack';
    const acks = c.frames.filter(isAck).length;
    c.send({ type: 'connection_init' });
    await c.waitForCount(isAck, acks + 1);
  }

  it('acks connection_init with connectionTimeoutMs, then sends ka at the keep-alive interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const c = amplifyLike();
    const ack = await c.init();
    expect(ack).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    await flush(c);
    expect(kaCount(c)).toBe(1); // one right after the ack

    vi.advanceTimersByTime(99);
    await flush(c);
    expect(kaCount(c)).toBe(1);

    vi.advanceTimersByTime(1 + 2 * 100);
    await flush(c);
    expect(kaCount(c)).toBe(4); // then one every keepAliveMs (100)
  });

  it('keeps one keep-alive timer when connection_init is repeated', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const c = amplifyLike();
    await c.init();
    c.send({ type: 'connection_init' });
    c.send({ type: 'connection_init' });
    await c.waitForCount((f) => f.type === 'connection_ack', 3);
    await flush(c);
    expect(kaCount(c)).toBe(1);

    vi.advanceTimersByTime(300);
    await flush(c);
    expect(kaCount(c)).toBe(4);
  });

  it('accepts the API key from the ?header=&payload=e30= query', async () => {
    const header = Buffer.from(JSON.stringify({ host: 'localhost', 'x-api-key': API_KEY })).toString('base64');
    const c = client(`${server.realtimeUrl}?header=${encodeURIComponent(header)}&payload=e30=`);
    expect((await c.init()).type).toBe('connection_ack');
  });

  it('accepts the API key from plain upgrade headers', async () => {
    const c = client(server.realtimeUrl, ['graphql-ws'], { 'x-api-key': API_KEY });
    expect((await c.init()).type).toBe('connection_ack');
  });

  it('accepts IAM credentials in the header- subprotocol', async () => {
    const c = client(server.realtimeUrl, ['graphql-ws', headerProtocol(await iamConnectHeaders(server.url))]);
    expect((await c.init()).type).toBe('connection_ack');
  });

  it('answers bad credentials with connection_error and closes the socket', async () => {
    const c = client(server.realtimeUrl, ['graphql-ws', headerProtocol({ host: 'localhost', 'x-api-key': 'da2-wrong' })]);
    await c.opened;
    c.send({ type: 'connection_init' });
    const err = await c.waitFor((f) => f.type === 'connection_error');
    expect(err.payload).toEqual({
      errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }],
    });
    expect(await c.closed).toBe(4401);
  });

  it('refuses a connection with no credentials at all', async () => {
    const c = client(server.realtimeUrl);
    await c.opened;
    c.send({ type: 'connection_init' });
    expect((await c.waitFor((f) => f.type === 'connection_error')).payload.errors[0].errorType).toBe('UnauthorizedException');
  });

  it('closes a connection that never sends connection_init', async () => {
    const c = amplifyLike();
    await c.opened;
    const code = await c.closed;
    expect(code).toBe(4408);
    expect(c.frames[0]?.type).toBe('connection_error');
  });
});

describe('realtime frames', () => {
  it('answers malformed frames with an error and keeps the connection usable', async () => {
    const c = amplifyLike();
    await c.init();
    c.send('not json');
    c.send('{"no":"type"}');
    c.send({ type: 'start', payload: { data: '{}' } });
    c.send({ type: 'start', id: 'x1', payload: { data: 'not json' } });
    c.send({ type: 'unknown' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor((f) => f.type === 'error' && f.payload?.errors?.[0]?.errorType === 'UnsupportedOperation');
    const errors = c.frames.filter((f) => f.type === 'error');
    expect(errors.length).toBe(6);
    expect(errors.find((f) => f.id === 'x1')?.payload.errors[0].errorType).toBe('BadRequestException');
    expect(errors.find((f) => f.payload.errors[0].errorType === 'UnsupportedOperation')?.payload.errors[0].message).toBe(
      'unknown not supported through the realtime channel',
    );
    c.start('ok1', ON_THING);
    expect((await c.waitFor((f) => f.type === 'start_ack')).id).toBe('ok1');
  });

  it('refuses start before connection_init', async () => {
    const c = amplifyLike();
    await c.opened;
    c.start('early', ON_THING);
    expect((await c.waitFor((f) => f.type === 'error')).id).toBe('early');
  });

  it('rejects a duplicate subscription id', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('dup', ON_THING);
    await c.waitFor((f) => f.type === 'start_ack');
    c.start('dup', ON_THING);
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 'dup');
    expect(err.payload.errors[0]).toEqual({ errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id dup' });
  });

  it('rejects a non-subscription operation and a validation failure in start', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('q', '{ hello }');
    c.start('v', 'subscription { onThing { nope } }');
    const q = await c.waitFor((f) => f.type === 'error' && f.id === 'q');
    const v = await c.waitFor((f) => f.type === 'error' && f.id === 'v');
    expect(q.payload.errors[0]).toEqual({ errorType: 'UnsupportedOperation', message: 'query not supported through the realtime channel' });
    expect(v.payload.errors[0].message).toBe(
      "Validation error of type FieldUndefined: Field 'nope' in type 'Thing' is undefined @ 'onThing/nope'",
    );
  });

  it('re-checks the authorization of each start', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('bad', ON_THING, {}, { 'x-api-key': 'da2-wrong', host: 'localhost' });
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 'bad');
    expect(err.payload.errors[0]).toEqual({ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' });
  });

  it('applies field auth to the subscription field', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('sec', 'subscription { onSecret { id } }');
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 'sec');
    expect(err.payload.errors[0]).toEqual({ errorType: 'Unauthorized', message: 'Not Authorized to access onSecret on type Subscription' });
  });
});

describe('subscription fan-out', () => {
  it('delivers a mutation result to a matching subscription, then completes on stop', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('s1', ON_THING, { id: 'a' });
    await c.waitFor((f) => f.type === 'start_ack' && f.id === 's1');
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "a", owner: "olga") { id owner status size } }' });
    const data = await c.waitFor((f) => f.type === 'data');
    expect(data).toEqual({ type: 'data', id: 's1', payload: { data: { onThing: { id: 'a', owner: 'olga', status: 'NEW' } } } });
    c.send({ type: 'stop', id: 's1' });
    expect(await c.waitFor((f) => f.type === 'complete')).toEqual({ type: 'complete', id: 's1' });
    // Delivery is synchronous in registration order, so s2's event comes after any s1 would get.
    c.start('s2', ON_THING, { id: 'a' });
    await c.waitFor((f) => f.type === 'start_ack' && f.id === 's2');
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "a") { id status } }' });
    await c.waitFor((f) => f.type === 'data' && f.id === 's2');
    expect(c.frames.filter((f) => f.type === 'data' && f.id === 's1')).toHaveLength(1);
  });

  it('filters on supplied arguments; omitted arguments are wildcards; explicit null matches absent values', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('byId', ON_THING, { id: 'b' });
    c.start('all', ON_THING);
    c.start('noOwner', ON_THING, { owner: null });
    c.start('byOwner', ON_THING, { owner: 'zed' });
    for (const id of ['byId', 'all', 'noOwner', 'byOwner']) await c.waitFor((f) => f.type === 'start_ack' && f.id === id);
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "b") { id owner status } }' });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "c", owner: "zed") { id owner status } }' });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "d", owner: "zed") { id status } }' }); // owner not selected
    await c.waitFor((f) => f.type === 'data' && f.id === 'all' && f.payload.data.onThing.id === 'd');
    const got = (id: string) => c.frames.filter((f) => f.type === 'data' && f.id === id).map((f) => f.payload.data.onThing.id);
    expect(got('byId')).toEqual(['b']);
    expect(got('all')).toEqual(['b', 'c', 'd']);
    expect(got('noOwner')).toEqual(['b', 'd']);
    expect(got('byOwner')).toEqual(['c']);
  });

  it('projects the mutation selection onto the subscriber selection; a missing non-null field nulls the result with an error', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('p', 'subscription { onThing(id: "e") { renamed: id owner parts { name } } }');
    c.start('nn', 'subscription { onThing(id: "f") { id status } }');
    await c.waitFor((f) => f.type === 'start_ack' && f.id === 'nn');
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "e", owner: "ann") { id o: owner parts { name } status } }' });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "f") { id } }' });
    const p = await c.waitFor((f) => f.type === 'data' && f.id === 'p');
    const nn = await c.waitFor((f) => f.type === 'data' && f.id === 'nn');
    // The subscriber's own alias applies; the mutation's alias (`o: owner`) keeps `owner` out of the event.
    expect(p.payload).toEqual({ data: { onThing: { renamed: 'e', owner: null, parts: [{ name: 'crust' }] } } });
    expect(nn.payload).toEqual({
      data: { onThing: null },
      errors: [
        {
          path: ['onThing', 'status'],
          locations: [{ line: 1, column: 38, sourceName: null }],
          message: "Cannot return null for non-nullable type: 'String' within parent 'Thing' (/onThing/status)",
        },
      ],
    });
  });

  it('publishes nothing for an aliased mutation field (the stricter reading of AppSync), and the same mutation unaliased as usual', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('al', ON_THING, { id: 'h' });
    await c.waitFor((f) => f.type === 'start_ack' && f.id === 'al');
    const aliased = await postGraphQL(server.url, { query: 'mutation { made: putThing(id: "h", owner: "alias") { id owner status } }' });
    expect(aliased.json).toMatchObject({ data: { made: { id: 'h' } } });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "h", owner: "plain") { id owner status } }' });
    await c.waitFor((f) => f.type === 'data' && f.id === 'al');
    const owners = c.frames.filter((f) => f.type === 'data' && f.id === 'al').map((f) => f.payload.data.onThing.owner);
    expect(owners).toEqual(['plain']);
  });

  it('publishes from an IAM mutation to API key subscribers, in publish order', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('o', ON_THING, { id: 'g' });
    await c.waitFor((f) => f.type === 'start_ack');
    for (let v = 1; v <= 5; v += 1) {
      const body = {
        query: 'mutation M($t: AWSJSON!) { publishThing(thing: $t) { id owner status } }',
        variables: { t: JSON.stringify({ id: 'g', owner: `v${v}`, status: 'NEW' }) },
      };
      await postGraphQL(server.url, body, await iamHeaders(server.url, body));
    }
    await c.waitFor((f) => f.type === 'data' && f.payload.data.onThing.owner === 'v5');
    expect(c.frames.filter((f) => f.type === 'data').map((f) => f.payload.data.onThing.owner)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('does not publish a failed mutation field', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('all', ON_THING);
    await c.waitFor((f) => f.type === 'start_ack');
    await postGraphQL(server.url, { query: 'mutation { publishThing(thing: "{}") { id } }' }); // API key: Unauthorized
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "h") { id status } }' });
    await c.waitFor((f) => f.type === 'data');
    expect(c.frames.filter((f) => f.type === 'data').map((f) => f.payload.data.onThing.id)).toEqual(['h']);
  });

  it('runs the subscription resolver at start and applies its enhanced filter instead of arguments', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('big', 'subscription S($m: Int) { onThingFiltered(minSize: $m) { id size } }', { m: 10 });
    await c.waitFor((f) => f.type === 'start_ack');
    const call = server.calls.findLast((x) => x.info.fieldName === 'onThingFiltered');
    expect(call?.arguments).toEqual({ minSize: 10 });
    expect(call?.authType).toBe('API_KEY');
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "small", size: 3) { id size status } }' });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "large", size: 12) { id size status } }' });
    await c.waitFor((f) => f.type === 'data');
    expect(c.frames.filter((f) => f.type === 'data').map((f) => f.payload.data.onThingFiltered.id)).toEqual(['large']);
  });

  it('ends a subscription whose invalidation filter matches and closes its socket', async () => {
    const watcher = amplifyLike();
    const other = amplifyLike();
    await watcher.init();
    await other.init();
    watcher.start('w', 'subscription { onWatched(id: "k1") { id } }');
    other.start('w2', 'subscription { onWatched(id: "k2") { id } }');
    await watcher.waitFor((f) => f.type === 'start_ack');
    await other.waitFor((f) => f.type === 'start_ack');
    await postGraphQL(server.url, { query: 'mutation { closeThing(id: "k1") { id status } }' });
    expect(await watcher.waitFor((f) => f.type === 'complete')).toEqual({ type: 'complete', id: 'w' });
    expect(await watcher.closed).toBe(4410);
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "k2") { id status } }' });
    expect((await other.waitFor((f) => f.type === 'data')).payload.data.onWatched.id).toBe('k2');
  });

  it('forgets the subscriptions of a closed connection', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('gone', ON_THING);
    await c.waitFor((f) => f.type === 'start_ack');
    const before = server.publishStats();
    await c.close();
    await vi.waitFor(() => expect(server.publishStats().subscriptions).toBe(before.subscriptions - 1));
  });
});

describe('AppSync limits and refusals', () => {
  it('refuses the 101st subscription on one connection with MaxSubscriptionsReachedError, before its resolver runs', async () => {
    const c = amplifyLike();
    await c.init();
    const subscriptions = server.publishStats().subscriptions;
    for (let i = 0; i < 100; i += 1) c.start(`s${i}`, ON_THING, { id: `many${i}` });
    await c.waitForCount((f) => f.type === 'start_ack', 100);
    const calls = server.calls.length;
    // The 101st names a field with a subscription resolver: refused, that resolver never runs.
    c.start('s100', 'subscription { onThingFiltered(minSize: 1) { id } }');
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 's100');
    expect(err).toEqual({
      type: 'error',
      id: 's100',
      payload: { errors: [{ errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' }] },
    });
    expect(server.calls.length).toBe(calls);
    expect(server.publishStats().subscriptions).toBe(subscriptions + 100);
    // A stopped subscription frees its place.
    c.send({ type: 'stop', id: 's0' });
    await c.waitFor((f) => f.type === 'complete' && f.id === 's0');
    c.start('s101', ON_THING);
    expect((await c.waitFor((f) => f.type === 'start_ack' && f.id === 's101')).id).toBe('s101');
  });

  it('does not deliver an event larger than 240 KB; later events still arrive', async () => {
    const c = amplifyLike();
    await c.init();
    c.start('big', ON_THING, { id: 'huge' });
    await c.waitFor((f) => f.type === 'start_ack' && f.id === 'big');
    const owner = 'x'.repeat(240 * 1024);
    const res = await postGraphQL(server.url, {
      query: 'mutation M($o: String) { putThing(id: "huge", owner: $o) { id owner status } }',
      variables: { o: owner },
    });
    expect(res.json).toMatchObject({ data: { putThing: { id: 'huge' } } });
    await postGraphQL(server.url, { query: 'mutation { putThing(id: "huge", owner: "small") { id owner status } }' });
    await c.waitFor((f) => f.type === 'data' && f.id === 'big');
    expect(c.frames.filter((f) => f.type === 'data').map((f) => f.payload.data.onThing.owner)).toEqual(['small']);
    expect(server.logs.some((l) => /realtime event for big dropped: \d+ bytes > 245760/.test(l))).toBe(true);
  });

  it('refuses a start without extensions.authorization and runs nothing', async () => {
    const c = amplifyLike();
    await c.init();
    const before = server.calls.length;
    c.start('noauth', 'subscription { onThingFiltered(minSize: 1) { id } }', {}, null);
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 'noauth');
    expect(err.payload).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
    expect(server.calls.length).toBe(before);
    expect(c.frames.some((f) => f.type === 'start_ack')).toBe(false);
  });

  it('answers graphql-transport-ws messages with UnsupportedOperation and keeps the connection', async () => {
    const c = amplifyLike();
    await c.init();
    c.send({ id: 'gtw', type: 'subscribe', payload: { query: 'subscription { onThing { id } }' } });
    c.send({ type: 'ping' });
    const errors = await c.waitForCount((f) => f.type === 'error', 2);
    expect(errors).toEqual([
      {
        type: 'error',
        id: 'gtw',
        payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'subscribe not supported through the realtime channel' }] },
      },
      {
        type: 'error',
        payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'ping not supported through the realtime channel' }] },
      },
    ]);
    c.start('after', ON_THING);
    expect((await c.waitFor((f) => f.type === 'start_ack')).id).toBe('after');
  });

  it('refuses a start nested 5,000 levels deep with an error frame; nothing runs or subscribes', async () => {
    const c = amplifyLike();
    await c.init();
    const calls = server.calls.length;
    const subscriptions = server.publishStats().subscriptions;
    c.start('deep', `subscription {${' a {'.repeat(4999)} b${' }'.repeat(5000)}`);
    const err = await c.waitFor((f) => f.type === 'error' && f.id === 'deep');
    expect(err.payload.errors).toEqual([
      { errorType: 'QueryDepthLimitExceeded', message: 'Validation error: the document nests deeper than 256 levels and was not parsed.' },
    ]);
    expect(server.calls.length).toBe(calls);
    expect(server.publishStats().subscriptions).toBe(subscriptions);
    expect(c.frames.some((f) => f.type === 'start_ack' && f.id === 'deep')).toBe(false);
  });

  it("applies the server's depth limit to subscriptions", async () => {
    const limited = await startTestServer({ limits: { queryDepthLimit: 1 } });
    const c = client(limited.realtimeUrl, ['graphql-ws', headerProtocol({ host: 'localhost', 'x-api-key': API_KEY })]);
    try {
      await c.init();
      c.start('d', 'subscription { onThing { id parts { name } } }');
      const err = await c.waitFor((f) => f.type === 'error' && f.id === 'd');
      expect(err.payload.errors).toEqual([{ errorType: 'QueryDepthLimitExceeded', message: 'Query depth limit of 1 exceeded.' }]);
    } finally {
      await c.close();
      await limited.stop();
    }
  });
});
