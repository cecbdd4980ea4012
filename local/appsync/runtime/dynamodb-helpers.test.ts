// Golden tests: expected values are AWS-recorded EvaluateCode outputs (localstack/appsync-utils
// __tests__/__snapshots__/index.test.js.snap) unless a test says otherwise.
import { describe, expect, it } from 'vitest';
import { dynamodbModule as ddb, operations } from './dynamodb-module.js';
import { dynamodbUtils } from './dynamodb-values.js';

describe('util.dynamodb', () => {
  it('converts scalars, keeping numbers as JSON numbers', () => {
    expect(dynamodbUtils.toDynamoDB('test')).toEqual({ S: 'test' });
    expect(dynamodbUtils.toDynamoDB(12345)).toEqual({ N: 12345 });
    expect(dynamodbUtils.toDynamoDB(true)).toEqual({ BOOL: true });
    expect(dynamodbUtils.toString('test')).toEqual({ S: 'test' });
    expect(dynamodbUtils.toNumber(12345)).toEqual({ N: 12345 });
    expect(dynamodbUtils.toBoolean(true)).toEqual({ BOOL: true });
    expect(dynamodbUtils.toNull()).toEqual({ NULL: null });
    expect(dynamodbUtils.toBinary('foo')).toEqual({ B: 'foo' });
  });

  it('converts sets', () => {
    expect(dynamodbUtils.toStringSet(['foo', 'bar', 'baz'])).toEqual({ SS: ['foo', 'bar', 'baz'] });
    expect(dynamodbUtils.toNumberSet([1, 23, 4.56])).toEqual({ NS: [1, 23, 4.56] });
    expect(dynamodbUtils.toBinarySet(['foo', 'bar', 'baz'])).toEqual({ BS: ['foo', 'bar', 'baz'] });
  });

  it('converts lists and maps recursively', () => {
    expect(dynamodbUtils.toList(['foo', 123, { bar: 'baz' }])).toEqual({
      L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }],
    });
    const input = { foo: 'bar', baz: 1234, beep: ['boop'] };
    const values = { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } };
    expect(dynamodbUtils.toMap(input)).toEqual({ M: values });
    expect(dynamodbUtils.toMapValues(input)).toEqual(values);
  });

  it('converts S3 objects to a JSON string', () => {
    expect(dynamodbUtils.toS3Object('foo', 'bar', 'baz')).toEqual({ S: '{"s3":{"key":"foo","bucket":"bar","region":"baz"}}' });
    expect(dynamodbUtils.toS3Object('foo', 'bar', 'baz', 'beep')).toEqual({
      S: '{"s3":{"key":"foo","bucket":"bar","region":"baz","version":"beep"}}',
    });
  });

  it('drops undefined properties, as JSON would (local choice)', () => {
    expect(dynamodbUtils.toMapValues({ a: 1, b: undefined })).toEqual({ a: { N: 1 } });
  });
});

describe('@aws-appsync/utils/dynamodb', () => {
  it('builds GetItem, PutItem, DeleteItem and Scan requests', () => {
    expect(ddb.get({ key: { id: 'id' } })).toEqual({ operation: 'GetItem', key: { id: { S: 'id' } } });
    expect(ddb.put({ key: { id: 'abc' }, item: { value: 10 } })).toEqual({
      operation: 'PutItem',
      key: { id: { S: 'abc' } },
      attributeValues: { value: { N: 10 } },
    });
    expect(ddb.remove({ key: { id: 'test' } })).toEqual({ operation: 'DeleteItem', key: { id: { S: 'test' } } });
    expect(ddb.scan({ limit: 10, nextToken: 'abc' })).toEqual({ operation: 'Scan', limit: 10, nextToken: 'abc' });
  });

  it('builds operation markers', () => {
    expect(operations.add(10)).toEqual({ type: 'OPERATION_ADD', value: 10 });
    expect(operations.append([1, 2, 3])).toEqual({ type: 'OPERATION_APPEND', items: [1, 2, 3] });
    expect(operations.prepend([1, 2, 3])).toEqual({ type: 'OPERATION_PREPEND', items: [1, 2, 3] });
    expect(operations.increment(10)).toEqual({ type: 'OPERATION_INCREMENT', by: 10 });
    expect(operations.decrement(10)).toEqual({ type: 'OPERATION_DECREMENT', by: 10 });
    expect(operations.replace({ a: 10 })).toEqual({ type: 'OPERATION_REPLACE', value: { a: 10 } });
  });

  it.each([
    ['increment', operations.increment(10), 'SET #expName_1 = #expName_1 + :expValue_1', { N: 10 }],
    ['decrement', operations.decrement(10), 'SET #expName_1 = #expName_1 - :expValue_1', { N: 10 }],
    ['add', operations.add(10), 'SET #expName_1 = :expValue_1', { N: 10 }],
    ['replace', operations.replace(10), 'SET #expName_1 = :expValue_1', { N: 10 }],
    [
      'append',
      operations.append([1, 2, 3]),
      'SET #expName_1 = list_append(#expName_1, :expValue_1)',
      { L: [{ N: 1 }, { N: 2 }, { N: 3 }] },
    ],
    [
      'prepend',
      operations.prepend([1, 2, 3]),
      'SET #expName_1 = list_append(:expValue_1, #expName_1)',
      { L: [{ N: 1 }, { N: 2 }, { N: 3 }] },
    ],
  ])('builds an UpdateItem for %s', (_name, op, expression, value) => {
    expect(ddb.update({ key: { id: 'test' }, update: { age: op } })).toEqual({
      operation: 'UpdateItem',
      key: { id: { S: 'test' } },
      update: { expression, expressionNames: { '#expName_1': 'age' }, expressionValues: { ':expValue_1': value } },
    });
  });

  it('numbers several fields and puts REMOVE after SET (local naming beyond the recorded case)', () => {
    const out = ddb.update({
      key: { id: 'o1' },
      update: { status: 'ACCEPTED', token: operations.remove(), count: operations.increment() },
      condition: { status: { eq: 'PLACED' } },
    });

    expect(out).toEqual({
      operation: 'UpdateItem',
      key: { id: { S: 'o1' } },
      update: {
        expression: 'SET #expName_1 = :expValue_1, #expName_3 = #expName_3 + :expValue_3 REMOVE #expName_2',
        expressionNames: { '#expName_1': 'status', '#expName_2': 'token', '#expName_3': 'count' },
        expressionValues: { ':expValue_1': { S: 'ACCEPTED' }, ':expValue_3': { N: 1 } },
      },
      condition: {
        expression: '(#status = :status_eq)',
        expressionNames: { '#status': 'status' },
        expressionValues: { ':status_eq': { S: 'PLACED' } },
      },
    });
  });

  it('builds a Query with a key condition, filter and projection', () => {
    const out = ddb.query({
      query: { pk: { eq: 'store#1' }, sk: { beginsWith: 'order#' } },
      index: 'byStore',
      limit: 5,
      scanIndexForward: false,
      filter: { status: { ne: 'CANCELLED' } },
      projection: ['id', 'address.city'],
    });

    expect(out).toEqual({
      operation: 'Query',
      index: 'byStore',
      limit: 5,
      scanIndexForward: false,
      query: {
        expression: '#pk = :pk_eq AND begins_with(#sk, :sk_beginsWith)',
        expressionNames: { '#pk': 'pk', '#sk': 'sk' },
        expressionValues: { ':pk_eq': { S: 'store#1' }, ':sk_beginsWith': { S: 'order#' } },
      },
      filter: {
        expression: '(#status <> :status_ne)',
        expressionNames: { '#status': 'status' },
        expressionValues: { ':status_ne': { S: 'CANCELLED' } },
      },
      projection: {
        expression: '#projection_0, #projection_1.#projection_2',
        expressionNames: { '#projection_0': 'id', '#projection_1': 'address', '#projection_2': 'city' },
      },
    });
  });

  it('rejects a condition it cannot render', () => {
    expect(() => ddb.put({ key: { id: 'a' }, item: {}, condition: { v: { foo: 1 } } })).toThrow(/condition cannot be rendered/);
  });

  it('offers only the exports the real module declares', () => {
    expect(Object.keys(ddb)).not.toContain('toDynamoDB');
    expect(Object.keys(ddb)).toEqual(expect.arrayContaining(['get', 'put', 'remove', 'update', 'query', 'scan', 'operations']));
  });
});
