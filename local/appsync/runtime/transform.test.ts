// Golden tests: expected values are AWS-recorded EvaluateCode outputs (localstack/appsync-utils
// __tests__/__snapshots__/transform*.test.js.snap). Key order of the maps is not significant.
import { describe, expect, it } from 'vitest';
import { toDynamoDBExpression, toDynamoDBExpressionJson, toSubscriptionFilter } from './transform.js';

type Case = [name: string, input: unknown, expression: string, names: Record<string, string>, values: Record<string, unknown>];

const FILTER_CASES: Case[] = [
  ['eq', { v: { eq: 'x' } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { S: 'x' } }],
  ['ne', { v: { ne: 'x' } }, '(#v <> :v_ne)', { '#v': 'v' }, { ':v_ne': { S: 'x' } }],
  ['lt', { v: { lt: 'x' } }, '(#v < :v_lt)', { '#v': 'v' }, { ':v_lt': { S: 'x' } }],
  ['le', { v: { le: 'x' } }, '(#v <= :v_le)', { '#v': 'v' }, { ':v_le': { S: 'x' } }],
  ['gt', { v: { gt: 'x' } }, '(#v > :v_gt)', { '#v': 'v' }, { ':v_gt': { S: 'x' } }],
  ['ge', { v: { ge: 'x' } }, '(#v >= :v_ge)', { '#v': 'v' }, { ':v_ge': { S: 'x' } }],
  ['a number keeps its numeric type', { v: { eq: 10 } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { N: 10 } }],
  ['a fractional number', { v: { eq: 1.5 } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { N: 1.5 } }],
  ['a boolean', { v: { eq: true } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { BOOL: true } }],
  ['null', { v: { eq: null } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { NULL: null } }],
  ['an object', { v: { eq: { a: 1 } } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { M: { a: { N: 1 } } } }],
  ['a list', { v: { eq: [1, 2] } }, '(#v = :v_eq)', { '#v': 'v' }, { ':v_eq': { L: [{ N: 1 }, { N: 2 }] } }],
  ['contains', { v: { contains: 'x' } }, '(contains(#v,:v_contains))', { '#v': 'v' }, { ':v_contains': { S: 'x' } }],
  ['notContains', { v: { notContains: 'x' } }, '(NOT contains(#v,:v_notContains))', { '#v': 'v' }, { ':v_notContains': { S: 'x' } }],
  ['beginsWith', { v: { beginsWith: 'x' } }, '(begins_with(#v,:v_beginsWith))', { '#v': 'v' }, { ':v_beginsWith': { S: 'x' } }],
  [
    'between ignores a third bound',
    { v: { between: ['1', '9', '3'] } },
    '(#v BETWEEN :v_between_start AND :v_between_end)',
    { '#v': 'v' },
    { ':v_between_start': { S: '1' }, ':v_between_end': { S: '9' } },
  ],
  [
    'between numeric',
    { v: { between: [1, 9] } },
    '(#v BETWEEN :v_between_start AND :v_between_end)',
    { '#v': 'v' },
    { ':v_between_start': { N: 1 }, ':v_between_end': { N: 9 } },
  ],
  ['in', { v: { in: ['a', 'b'] } }, '(#v IN (:v_in_0, :v_in_1))', { '#v': 'v' }, { ':v_in_0': { S: 'a' }, ':v_in_1': { S: 'b' } }],
  ['attributeExists true', { v: { attributeExists: true } }, '(attribute_exists(#v))', { '#v': 'v' }, {}],
  ['attributeExists false', { v: { attributeExists: false } }, '(attribute_not_exists(#v))', { '#v': 'v' }, {}],
  [
    'attributeType',
    { a: { attributeType: '_null' }, b: { attributeType: 'map' } },
    '(attribute_type(#a,:a_attributeType)) AND (attribute_type(#b,:b_attributeType))',
    { '#a': 'a', '#b': 'b' },
    { ':a_attributeType': { S: 'NULL' }, ':b_attributeType': { S: 'M' } },
  ],
  ['size', { v: { size: { gt: 2 } } }, '(size(#v) > :v_size_gt)', { '#v': 'v' }, { ':v_size_gt': { N: 2 } }],
  [
    'size with a range',
    { v: { size: { between: [1, 3] } } },
    '(size(#v) BETWEEN :v_size_between_start AND :v_size_between_end)',
    { '#v': 'v' },
    { ':v_size_between_start': { N: 1 }, ':v_size_between_end': { N: 3 } },
  ],
  [
    'size with a function',
    { v: { size: { contains: 'x' } } },
    '(contains(size(#v),:v_size_contains))',
    { '#v': 'v' },
    { ':v_size_contains': { S: 'x' } },
  ],
  ['size with attributeExists', { v: { size: { attributeExists: true } } }, '(attribute_exists(size(#v)))', { '#v': 'v' }, {}],
  [
    'two comparisons on one size',
    { v: { size: { gt: 2, lt: 5 } } },
    '((size(#v) > :v_size_gt) AND (size(#v) < :v_size_lt))',
    { '#v': 'v' },
    { ':v_size_gt': { N: 2 }, ':v_size_lt': { N: 5 } },
  ],
  ['nested size', { v: { size: { size: { gt: 1 } } } }, '(size(#v) > :v_size_size_gt)', { '#v': 'v' }, { ':v_size_size_gt': { N: 1 } }],
  [
    'two top-level fields',
    { a: { eq: 1 }, b: { eq: 2 } },
    '(#a = :a_eq) AND (#b = :b_eq)',
    { '#a': 'a', '#b': 'b' },
    { ':a_eq': { N: 1 }, ':b_eq': { N: 2 } },
  ],
  [
    'two operators on one field',
    { v: { ge: 1, le: 5 } },
    '((#v >= :v_ge) AND (#v <= :v_le))',
    { '#v': 'v' },
    { ':v_ge': { N: 1 }, ':v_le': { N: 5 } },
  ],
  ['an and of one member', { and: [{ a: { eq: 1 } }] }, '(#a = :and_0_a_eq)', { '#a': 'a' }, { ':and_0_a_eq': { N: 1 } }],
  [
    'an or of two members',
    { or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] },
    '((#a = :or_0_a_eq) OR (#b = :or_1_b_eq))',
    { '#a': 'a', '#b': 'b' },
    { ':or_0_a_eq': { N: 1 }, ':or_1_b_eq': { N: 2 } },
  ],
  [
    'not of a group',
    { not: { and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] } },
    '(NOT ((#a = :not_and_0_a_eq) AND (#b = :not_and_1_b_eq)))',
    { '#a': 'a', '#b': 'b' },
    { ':not_and_0_a_eq': { N: 1 }, ':not_and_1_b_eq': { N: 2 } },
  ],
  ['not of a not', { not: { not: { a: { eq: 1 } } } }, '(NOT (NOT (#a = :not_not_a_eq)))', { '#a': 'a' }, { ':not_not_a_eq': { N: 1 } }],
  [
    'not inside an and',
    { and: [{ not: { a: { eq: 1 } } }, { b: { eq: 2 } }] },
    '((NOT (#a = :and_0_not_a_eq)) AND (#b = :and_1_b_eq))',
    { '#a': 'a', '#b': 'b' },
    { ':and_0_not_a_eq': { N: 1 }, ':and_1_b_eq': { N: 2 } },
  ],
  [
    'an and inside an or',
    { or: [{ and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, { c: { eq: 3 } }] },
    '(((#a = :or_0_and_0_a_eq) AND (#b = :or_0_and_1_b_eq)) OR (#c = :or_1_c_eq))',
    { '#a': 'a', '#b': 'b', '#c': 'c' },
    { ':or_0_and_0_a_eq': { N: 1 }, ':or_0_and_1_b_eq': { N: 2 }, ':or_1_c_eq': { N: 3 } },
  ],
  [
    'nesting in value names',
    { and: [{ or: [{ and: [{ a: { eq: 1 } }] }] }] },
    '(#a = :and_0_or_0_and_0_a_eq)',
    { '#a': 'a' },
    { ':and_0_or_0_and_0_a_eq': { N: 1 } },
  ],
  [
    'a field beside a group',
    { a: { eq: 1 }, and: [{ b: { eq: 2 } }] },
    '(#a = :a_eq) AND (#b = :and_0_b_eq)',
    { '#a': 'a', '#b': 'b' },
    { ':a_eq': { N: 1 }, ':and_0_b_eq': { N: 2 } },
  ],
  ['a dotted field name verbatim', { 'a.b': { eq: 1 } }, '(#a.b = :a.b_eq)', { '#a.b': 'a.b' }, { ':a.b_eq': { N: 1 } }],
  ['an empty filter', {}, '', {}, {}],
  ['an empty group', { and: [] }, '', {}, {}],
  ['a field without operators', { v: {} }, '', { '#v': 'v' }, {}],
  ['not of an empty filter', { not: {} }, '(NOT )', {}, {}],
  ['an empty list of values', { v: { in: [] } }, '(null)', { '#v': 'v' }, {}],
  ['an empty field beside a comparison', { a: { eq: 1 }, b: {} }, '(#a = :a_eq) AND ', { '#a': 'a', '#b': 'b' }, { ':a_eq': { N: 1 } }],
  ['an empty member of a group', { and: [{ a: { eq: 1 } }, {}] }, '((#a = :and_0_a_eq) AND )', { '#a': 'a' }, { ':and_0_a_eq': { N: 1 } }],
  [
    'the Amplify update guard',
    { and: [{ id: { attributeExists: true } }, { _version: { eq: 1 } }] },
    '((attribute_exists(#id)) AND (#_version = :and_1__version_eq))',
    { '#id': 'id', '#_version': '_version' },
    { ':and_1__version_eq': { N: 1 } },
  ],
];

const UNRENDERABLE: [string, unknown][] = [
  ['no filter at all', undefined],
  ['null', null],
  ['an array', []],
  ['a string', 'string'],
  ['an unknown operator', { v: { foo: 1 } }],
  ['a field holding a value', { v: 'x' }],
  ['a field nested in a field', { a: { b: { eq: 1 } } }],
  ['an and given a map', { and: { a: { eq: 1 } } }],
  ['an and given null', { and: null }],
  ['a group with a null member', { and: [{ a: { eq: 1 } }, null] }],
  ['a not given a list', { not: [{ a: { eq: 1 } }] }],
  ['a range with one bound', { v: { between: [1] } }],
  ['a range that is not a list', { v: { between: 'x' } }],
  ['in given a non-list', { v: { in: 'x' } }],
  ['attributeExists given a string', { v: { attributeExists: 'yes' } }],
  ['attributeType given a type code', { v: { attributeType: 'S' } }],
  ['attributeType given an unknown name', { v: { attributeType: 'bogus' } }],
  ['size given a value', { v: { size: 3 } }],
];

describe('util.transform.toDynamoDBFilterExpression', () => {
  it.each(FILTER_CASES)('renders %s as AWS does', (_name, input, expression, names, values) => {
    const out = toDynamoDBExpression(input);

    expect(out).toEqual({ expression, expressionNames: names, expressionValues: values });
  });

  it.each(UNRENDERABLE)('answers null for %s', (_name, input) => {
    expect(toDynamoDBExpressionJson(input)).toBeNull();
  });

  it('returns the JSON string AWS returns, keys in AWS order', () => {
    expect(toDynamoDBExpressionJson({ content: { contains: 'foo' } })).toBe(
      '{"expression":"(contains(#content,:content_contains))","expressionNames":{"#content":"content"},"expressionValues":{":content_contains":{"S":"foo"}}}',
    );
    expect(toDynamoDBExpressionJson({ and: [{ id: { attributeExists: false } }] })).toBe(
      '{"expression":"(attribute_not_exists(#id))","expressionNames":{"#id":"id"},"expressionValues":{}}',
    );
  });
});

const f = (fieldName: string, operator: string, value: unknown) => ({ fieldName, operator, value });

describe('util.transform.toSubscriptionFilter', () => {
  it('ANDs fields within a group, in key order', () => {
    expect(toSubscriptionFilter({ z: { eq: 0 }, and: [{ a: { eq: 1 } }] })).toEqual({
      filterGroup: [{ filters: [f('z', 'eq', 0), f('a', 'eq', 1)] }],
    });
  });

  it('multiplies alternatives out into groups', () => {
    const out = toSubscriptionFilter({
      percentageUp: { lte: 50, gte: 20 },
      and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
      or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
    });

    const common = [f('title', 'ne', 'Book1'), f('downvotes', 'gt', 2000)];
    expect(out).toEqual({
      filterGroup: [
        { filters: [f('percentageUp', 'lte', 50), ...common, f('author', 'eq', 'Admin')] },
        { filters: [f('percentageUp', 'lte', 50), ...common, f('isPublished', 'eq', false)] },
        { filters: [f('percentageUp', 'gte', 20), ...common, f('author', 'eq', 'Admin')] },
        { filters: [f('percentageUp', 'gte', 20), ...common, f('isPublished', 'eq', false)] },
      ],
    });
  });

  it('treats not as a field name and passes unknown operators through', () => {
    expect(toSubscriptionFilter({ not: { a: { eq: 1 } } })).toEqual({ filterGroup: [{ filters: [f('not', 'a', { eq: 1 })] }] });
    expect(toSubscriptionFilter({ a: { bogus: 1 } })).toEqual({ filterGroup: [{ filters: [f('a', 'bogus', 1)] }] });
  });

  it('drops ignored fields, also inside and', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, ['b'])).toEqual({
      filterGroup: [{ filters: [f('a', 'eq', 1)] }],
    });
  });

  it('adds each rule as an alternative to every group', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 } }, [], { r1: { gte: 250 }, r2: { eq: 'p' } })).toEqual({
      filterGroup: [{ filters: [f('a', 'eq', 1), f('r1', 'gte', 250)] }, { filters: [f('a', 'eq', 1), f('r2', 'eq', 'p')] }],
    });
    expect(toSubscriptionFilter({}, [], { r1: { eq: 1 } })).toEqual({ filterGroup: [{ filters: [f('r1', 'eq', 1)] }] });
  });

  it('produces no group for empty input and null for non-objects', () => {
    expect(toSubscriptionFilter({})).toEqual({ filterGroup: [] });
    expect(toSubscriptionFilter({ a: {} })).toEqual({ filterGroup: [] });
    expect(toSubscriptionFilter({ and: [] })).toEqual({ filterGroup: [] });
    expect(toSubscriptionFilter(null)).toBeNull();
    expect(toSubscriptionFilter([])).toBeNull();
    expect(toSubscriptionFilter('{"a":{"eq":1}}')).toBeNull();
  });
});
