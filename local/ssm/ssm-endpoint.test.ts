import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../util/aws.js';
import { InvalidPersistFileError, startSsmEndpoint, type SsmEndpoint } from './ssm-endpoint.js';

const region = LOCAL_REGION;
const credentials = LOCAL_CREDENTIALS;

describe('startSsmEndpoint', () => {
  let endpoint: SsmEndpoint;
  let ssm: SSMClient;
  beforeAll(async () => {
    endpoint = await startSsmEndpoint({ region, accountId: '000000000000' });
    ssm = new SSMClient({ endpoint: endpoint.url, region, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    ssm?.destroy();
    await endpoint?.stop();
  });

  it('returns a SecureString decrypted only WithDecryption: true', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/pizza/routing-api-key', Type: 'SecureString', Value: 'sk-secret' }));

    const encrypted = await ssm.send(new GetParameterCommand({ Name: '/pizza/routing-api-key' }));
    const decrypted = await ssm.send(new GetParameterCommand({ Name: '/pizza/routing-api-key', WithDecryption: true }));

    expect(encrypted.Parameter?.Type).toBe('SecureString');
    expect(encrypted.Parameter?.Value).not.toContain('sk-secret');
    expect(Buffer.from(encrypted.Parameter?.Value ?? '', 'base64').toString('utf8')).not.toContain('sk-secret');
    expect(encrypted.Parameter?.Value).toMatch(/^AQICAH[A-Za-z0-9+/=]+$/);
    expect(decrypted.Parameter).toMatchObject({
      Name: '/pizza/routing-api-key',
      Type: 'SecureString',
      Value: 'sk-secret',
      Version: 1,
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/pizza/routing-api-key',
      DataType: 'text',
    });
    expect(decrypted.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('answers ParameterNotFound for a missing name, as the SDK exception class', async () => {
    const error = await ssm.send(new GetParameterCommand({ Name: '/nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParameterNotFound);
    expect((error as ParameterNotFound).$metadata.httpStatusCode).toBe(400);
    expect((error as ParameterNotFound).message).toBe('Parameter /nope not found.');
  });

  it('refuses to overwrite without Overwrite, and bumps the version with it', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/pizza/flag', Type: 'String', Value: 'one' }));
    await expect(ssm.send(new PutParameterCommand({ Name: '/pizza/flag', Type: 'String', Value: 'two' }))).rejects.toBeInstanceOf(
      ParameterAlreadyExists,
    );

    const put = await ssm.send(new PutParameterCommand({ Name: '/pizza/flag', Value: 'two', Overwrite: true }));
    const got = await ssm.send(new GetParameterCommand({ Name: '/pizza/flag' }));

    expect(put).toMatchObject({ Version: 2, Tier: 'Standard' });
    expect(got.Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
    expect((await ssm.send(new GetParameterCommand({ Name: '/pizza/flag:2' }))).Parameter).toMatchObject({ Value: 'two', Selector: ':2' });
  });

  it('requires a type for a new parameter and rejects what it does not support', async () => {
    await expect(ssm.send(new PutParameterCommand({ Name: '/pizza/untyped', Value: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(ssm.send(new PutParameterCommand({ Name: '/pizza/p', Type: 'String', Value: 'x', AllowedPattern: '.*' }))).rejects.toThrow(
      /not supported/,
    );
    await expect(ssm.send(new PutParameterCommand({ Name: 'no/leading/slash', Type: 'String', Value: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('GetParameters returns the found ones and lists the missing ones', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/multi/a', Type: 'String', Value: 'A' }));
    await ssm.send(new PutParameterCommand({ Name: '/multi/s', Type: 'SecureString', Value: 'S' }));

    const out = await ssm.send(new GetParametersCommand({ Names: ['/multi/a', '/multi/s', '/multi/missing'], WithDecryption: true }));

    expect(out.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/multi/a', 'A'],
      ['/multi/s', 'S'],
    ]);
    expect(out.InvalidParameters).toEqual(['/multi/missing']);
  });

  it('deletes a parameter, and a second delete is ParameterNotFound', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/gone', Type: 'String', Value: 'x' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/gone' }));
    await expect(ssm.send(new GetParameterCommand({ Name: '/gone' }))).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/gone' }))).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('describes parameters without their values, filtered by name prefix', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/desc/one', Type: 'SecureString', Value: 'v', Description: 'the first' }));
    await ssm.send(new PutParameterCommand({ Name: '/desc/two', Type: 'String', Value: 'v' }));

    const out = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/desc/'] }] }),
    );

    expect(out.Parameters?.map((p) => [p.Name, p.Type, p.Description, p.KeyId])).toEqual([
      ['/desc/one', 'SecureString', 'the first', 'alias/aws/ssm'],
      ['/desc/two', 'String', undefined, undefined],
    ]);
    expect(JSON.stringify(out.Parameters)).not.toContain('"Value"');
  });

  it('answers UnknownOperationException for an operation it does not implement', async () => {
    const error = await ssm.send(new GetParametersByPathCommand({ Path: '/pizza' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSMServiceException);
    expect(error).toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('startSsmEndpoint with persistFile', () => {
  let dir: string;
  const endpoints: SsmEndpoint[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssm-test-'));
  });
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.stop()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps parameters across a restart', async () => {
    const persistFile = join(dir, 'nested', 'ssm.json');
    const first = await startSsmEndpoint({ region, persistFile });
    endpoints.push(first);
    const client1 = new SSMClient({ endpoint: first.url, region, credentials });
    await client1.send(new PutParameterCommand({ Name: '/kept', Type: 'SecureString', Value: 'still here' }));
    await client1.send(new PutParameterCommand({ Name: '/kept', Value: 'still here, v2', Overwrite: true }));
    client1.destroy();
    await first.stop();

    const second = await startSsmEndpoint({ region, persistFile });
    endpoints.push(second);
    const client2 = new SSMClient({ endpoint: second.url, region, credentials });
    const got = await client2.send(new GetParameterCommand({ Name: '/kept', WithDecryption: true }));
    client2.destroy();

    expect(got.Parameter).toMatchObject({ Value: 'still here, v2', Version: 2, Type: 'SecureString' });
    expect(JSON.parse(await readFile(persistFile, 'utf8'))).toMatchObject({ format: 1 });
  });

  it('refuses a malformed persist file with a named error', async () => {
    const persistFile = join(dir, 'bad.json');
    await writeFile(persistFile, '{"format":1,"parameters":[{"name":"/x"}]}');
    await expect(startSsmEndpoint({ region, persistFile })).rejects.toThrow(InvalidPersistFileError);
  });
});
