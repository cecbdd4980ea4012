/**
 * CloudWatch embedded metric format (EMF), read as CloudWatch Logs reads it: a JSON log line
 * whose `_aws` member declares metrics over the line's own members.
 *
 * ```json
 * {"_aws":{"Timestamp":1796280463139,"CloudWatchMetrics":[{"Namespace":"ServerlessPizza",
 *   "Dimensions":[["service","reason"]],"Metrics":[{"Name":"OrderCancelled","Unit":"Count"}]}]},
 *  "service":"orders","reason":"STORE_TIMEOUT","OrderCancelled":1}
 * ```
 *
 * Each directive of `CloudWatchMetrics` makes, for each of its metrics and each of its dimension
 * sets, one datapoint series: the dimension values are the members the set names (strings), the
 * values the member named like the metric (a number, or up to 100 numbers: Powertools writes a
 * metric added twice as a list). Rules from the EMF specification ("Specification: Embedded
 * metric format", CloudWatch user guide); a line that declares `_aws` but breaks one is refused
 * whole, as CloudWatch refuses to extract it, and reported so that the summary can count it.
 */

export interface EmfDatapoints {
  readonly namespace: string;
  readonly name: string;
  /** The declared unit; `None` when the definition has none (CloudWatch's default). */
  readonly unit: string;
  /** The dimension set's keys and their values; empty for a dimensionless series. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

export type EmfLine =
  /** Not JSON, or JSON without `_aws`: an ordinary log line. */
  | { readonly kind: 'not-emf' }
  /** Declares `_aws` but breaks the format: CloudWatch would extract nothing from it. */
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'emf'; readonly timestamp: number; readonly datapoints: readonly EmfDatapoints[] };

/** The specification's limits. */
export const EMF_LIMITS = { metricsPerDirective: 100, valuesPerMetric: 100, dimensionsPerSet: 30 } as const;

const NOT_EMF: EmfLine = { kind: 'not-emf' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class EmfFormatError extends Error {
  override readonly name = 'EmfFormatError';
}

function values(root: Record<string, unknown>, name: string): number[] {
  const member = root[name];
  const list = Array.isArray(member) ? member : [member];
  if (member === undefined) throw new EmfFormatError(`metric ${name} has no value member`);
  if (list.length === 0 || list.length > EMF_LIMITS.valuesPerMetric)
    throw new EmfFormatError(`metric ${name} has ${list.length} values (1–${EMF_LIMITS.valuesPerMetric})`);
  return list.map((v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EmfFormatError(`metric ${name} has a value that is not a number`);
    return v;
  });
}

function dimensionSets(directive: Record<string, unknown>, root: Record<string, unknown>): Record<string, string>[] {
  const sets = directive.Dimensions;
  if (!Array.isArray(sets)) throw new EmfFormatError('a directive has no Dimensions array');
  if (sets.length === 0) return [{}];
  return sets.map((set: unknown) => {
    if (!Array.isArray(set) || set.length > EMF_LIMITS.dimensionsPerSet)
      throw new EmfFormatError(`a dimension set is not a list of up to ${EMF_LIMITS.dimensionsPerSet} keys`);
    const dimensions: Record<string, string> = {};
    for (const key of set) {
      if (typeof key !== 'string') throw new EmfFormatError('a dimension key is not a string');
      const value = root[key];
      if (typeof value !== 'string') throw new EmfFormatError(`dimension ${key} has no string value member`);
      dimensions[key] = value;
    }
    return dimensions;
  });
}

function directiveDatapoints(directive: unknown, root: Record<string, unknown>): EmfDatapoints[] {
  if (!isRecord(directive)) throw new EmfFormatError('a CloudWatchMetrics entry is not an object');
  const namespace = directive.Namespace;
  if (typeof namespace !== 'string' || namespace === '') throw new EmfFormatError('a directive has no Namespace');
  const metrics = directive.Metrics;
  if (!Array.isArray(metrics) || metrics.length > EMF_LIMITS.metricsPerDirective)
    throw new EmfFormatError(`a directive's Metrics is not a list of up to ${EMF_LIMITS.metricsPerDirective}`);
  const sets = dimensionSets(directive, root);
  return metrics.flatMap((definition: unknown) => {
    if (!isRecord(definition) || typeof definition.Name !== 'string' || definition.Name === '')
      throw new EmfFormatError('a metric definition has no Name');
    if (definition.Unit !== undefined && typeof definition.Unit !== 'string')
      throw new EmfFormatError(`metric ${definition.Name}'s Unit is not a string`);
    const name = definition.Name;
    const unit = definition.Unit ?? 'None';
    const list = values(root, name);
    return sets.map((dimensions) => ({ namespace, name, unit, dimensions, values: list }));
  });
}

/** Reads one log line; never throws. */
export function parseEmfLine(line: string): EmfLine {
  // Most lines are not EMF: skip the parse unless the line can be a JSON object naming _aws.
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return NOT_EMF;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return NOT_EMF;
  }
  if (!isRecord(parsed) || !('_aws' in parsed)) return NOT_EMF;
  const root = parsed;
  try {
    const aws = root._aws;
    if (!isRecord(aws)) throw new EmfFormatError('_aws is not an object');
    if (typeof aws.Timestamp !== 'number' || !Number.isFinite(aws.Timestamp)) throw new EmfFormatError('_aws.Timestamp is not a number');
    if (!Array.isArray(aws.CloudWatchMetrics)) throw new EmfFormatError('_aws.CloudWatchMetrics is not a list');
    const datapoints = aws.CloudWatchMetrics.flatMap((directive: unknown) => directiveDatapoints(directive, root));
    return { kind: 'emf', timestamp: aws.Timestamp, datapoints };
  } catch (error) {
    if (error instanceof EmfFormatError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}
