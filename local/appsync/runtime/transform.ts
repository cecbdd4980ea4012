/**
 * `util.transform.*`. The DynamoDB expression renderer reproduces AWS's recorded output byte for
 * byte (placeholders `#field` / `:<path>field_<op>`, parenthesisation, `null` for input it cannot
 * render, even its quirks such as a dangling ` AND ` after an empty member and `(null)` for an
 * empty `in`); see transform.test.ts for the recorded cases.
 */
import { isPlainRecord, toDynamoDB, type AppSyncAttributeValue } from './dynamodb-values.js';

export interface DynamoDBExpression {
  expression: string;
  expressionNames: Record<string, string>;
  expressionValues: Record<string, AppSyncAttributeValue>;
}

const COMPARATORS: Readonly<Record<string, string>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};

const ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  _null: 'NULL',
  string: 'S',
  stringSet: 'SS',
  number: 'N',
  numberSet: 'NS',
  binary: 'B',
  binarySet: 'BS',
  boolean: 'BOOL',
  list: 'L',
  map: 'M',
};

/** Signals input AWS answers with `null`; never escapes this module. */
class Unrenderable extends Error {
  override readonly name = 'Unrenderable';
}

interface Acc {
  names: Record<string, string>;
  values: Record<string, AppSyncAttributeValue>;
}

function joinOps(parts: string[]): string {
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0] ?? '';
  return `(${parts.join(' AND ')})`;
}

/** Renders the operators of one field (or of `size(field)`). */
function renderOps(ops: unknown, lhs: string, base: string, acc: Acc): string {
  if (!isPlainRecord(ops)) throw new Unrenderable();
  const parts: string[] = [];
  for (const [op, operand] of Object.entries(ops)) {
    if (operand === undefined) continue;
    const comparator = COMPARATORS[op];
    if (comparator !== undefined) {
      const v = `${base}_${op}`;
      acc.values[v] = toDynamoDB(operand);
      parts.push(`(${lhs} ${comparator} ${v})`);
      continue;
    }
    switch (op) {
      case 'contains':
      case 'notContains':
      case 'beginsWith': {
        const v = `${base}_${op}`;
        acc.values[v] = toDynamoDB(operand);
        const fn = op === 'beginsWith' ? 'begins_with' : 'contains';
        parts.push(`(${op === 'notContains' ? 'NOT ' : ''}${fn}(${lhs},${v}))`);
        break;
      }
      case 'between': {
        if (!Array.isArray(operand) || operand.length < 2) throw new Unrenderable();
        const start = `${base}_between_start`;
        const end = `${base}_between_end`;
        acc.values[start] = toDynamoDB(operand[0]);
        acc.values[end] = toDynamoDB(operand[1]);
        parts.push(`(${lhs} BETWEEN ${start} AND ${end})`);
        break;
      }
      case 'in': {
        if (!Array.isArray(operand)) throw new Unrenderable();
        if (operand.length === 0) {
          parts.push('(null)');
          break;
        }
        const names = operand.map((item: unknown, i: number) => {
          const v = `${base}_in_${i}`;
          acc.values[v] = toDynamoDB(item);
          return v;
        });
        parts.push(`(${lhs} IN (${names.join(', ')}))`);
        break;
      }
      case 'attributeExists': {
        if (typeof operand !== 'boolean') throw new Unrenderable();
        parts.push(`(${operand ? 'attribute_exists' : 'attribute_not_exists'}(${lhs}))`);
        break;
      }
      case 'attributeType': {
        const code = typeof operand === 'string' ? ATTRIBUTE_TYPES[operand] : undefined;
        if (code === undefined) throw new Unrenderable();
        const v = `${base}_attributeType`;
        acc.values[v] = { S: code };
        parts.push(`(attribute_type(${lhs},${v}))`);
        break;
      }
      case 'size': {
        const sizeLhs = lhs.startsWith('size(') ? lhs : `size(${lhs})`;
        const rendered = renderOps(operand, sizeLhs, `${base}_size`, acc);
        if (rendered !== '') parts.push(rendered);
        break;
      }
      default:
        throw new Unrenderable();
    }
  }
  return joinOps(parts);
}

function renderObject(obj: unknown, prefix: string, acc: Acc): string {
  if (!isPlainRecord(obj)) throw new Unrenderable();
  const parts: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new Unrenderable();
      const members = value.map((member: unknown, i: number) => renderObject(member, `${prefix}${key}_${i}_`, acc));
      const joined = members.join(key === 'and' ? ' AND ' : ' OR ');
      parts.push(members.length > 1 ? `(${joined})` : joined);
    } else if (key === 'not') {
      parts.push(`(NOT ${renderObject(value, `${prefix}not_`, acc)})`);
    } else {
      if (!isPlainRecord(value)) throw new Unrenderable();
      acc.names[`#${key}`] = key;
      parts.push(renderOps(value, `#${key}`, `:${prefix}${key}`, acc));
    }
  }
  return parts.join(' AND ');
}

/** The object form; `null` where AWS answers `null`. */
export function toDynamoDBExpression(filter: unknown): DynamoDBExpression | null {
  const acc: Acc = { names: {}, values: {} };
  try {
    const expression = renderObject(filter, '', acc);
    return { expression, expressionNames: acc.names, expressionValues: acc.values };
  } catch (err) {
    if (err instanceof Unrenderable) return null;
    throw err;
  }
}

/** `util.transform.toDynamoDBFilterExpression` / `toDynamoDBConditionExpression`: a JSON string or null. */
export function toDynamoDBExpressionJson(filter: unknown): string | null {
  const expr = toDynamoDBExpression(filter);
  return expr === null ? null : JSON.stringify(expr);
}

export interface SubscriptionFilterEntry {
  fieldName: string;
  operator: string;
  value: unknown;
}
export interface SubscriptionFilter {
  filterGroup: { filters: SubscriptionFilterEntry[] }[];
}

type Groups = SubscriptionFilterEntry[][];

function cross(groups: Groups, alternatives: Groups): Groups {
  const out: Groups = [];
  for (const g of groups) for (const alt of alternatives) out.push([...g, ...alt]);
  return out;
}

function fieldAlternatives(fieldName: string, ops: unknown): Groups {
  if (!isPlainRecord(ops)) return [];
  return Object.entries(ops)
    .filter(([, value]) => value !== undefined)
    .map(([operator, value]) => [{ fieldName, operator, value }]);
}

function toGroups(obj: Record<string, unknown>, ignored: ReadonlySet<string>): Groups {
  let groups: Groups = [[]];
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || ignored.has(key)) continue;
    if (key === 'and' || key === 'or') {
      const members = (Array.isArray(value) ? value : [value]).filter(isPlainRecord);
      if (key === 'and') {
        for (const m of members) groups = cross(groups, toGroups(m, ignored));
      } else {
        groups = cross(
          groups,
          members.flatMap((m) => toGroups(m, ignored)),
        );
      }
    } else {
      groups = cross(groups, fieldAlternatives(key, value));
    }
  }
  return groups;
}

/**
 * `util.transform.toSubscriptionFilter(obj, ignoredFields?, rules?)`: disjunctive normal form.
 * Operators are carried through unvalidated and `not` is an ordinary field name, as on AWS.
 */
export function toSubscriptionFilter(obj: unknown, ignoredFields?: unknown, rules?: unknown): SubscriptionFilter | null {
  if (!isPlainRecord(obj)) return null;
  const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields.filter((f): f is string => typeof f === 'string') : []);
  let groups = toGroups(obj, ignored);
  if (isPlainRecord(rules) && Object.keys(rules).length > 0) {
    groups = cross(
      groups,
      Object.entries(rules).flatMap(([field, ops]) => fieldAlternatives(field, ops)),
    );
  }
  return { filterGroup: groups.filter((g) => g.length > 0).map((filters) => ({ filters })) };
}
