/**
 * Lambda event filtering for a stream mapping, locally: the mapping's filter (the manifest plan's
 * `filter`, e.g. `{ eventName: ['INSERT'] }`, which CDK deploys as the filter pattern
 * `{"eventName":["INSERT"]}`) applied to each batch before the handler sees it.
 *
 * As on Lambda: a record that matches no pattern never reaches the function, yet counts as
 * handled, so the shard's checkpoint moves past it; a batch with no matching record is not
 * invoked at all. On AWS the filter runs before batching (a batch holds up to batchSize matching
 * records); here it runs on each batch read from the shard, so a local batch may be smaller. The
 * handler's partial batch response names records of the filtered batch, which are records of the
 * batch read, so the poller retries from them as Lambda would.
 */
import type { StreamFilterSpec } from '../../infra/manifest-types.js';
import type { DynamoDBRecord, DynamoDBStreamEvent } from './stream-event.js';

/** Whether `record` passes `filter` (every field of the filter names the record's value). */
export function matchesStreamFilter(record: DynamoDBRecord, filter: StreamFilterSpec): boolean {
  return record.eventName !== undefined && filter.eventName.includes(record.eventName);
}

/**
 * `handler` behind `filter`: it is called with the batch's matching records only, and not at all
 * when none match (the batch then counts as handled). Without a filter, `handler` itself.
 */
export function filteredStreamHandler<R>(
  filter: StreamFilterSpec | undefined,
  handler: (event: DynamoDBStreamEvent) => Promise<R | void>,
): (event: DynamoDBStreamEvent) => Promise<R | void> {
  if (filter === undefined) return handler;
  return async (event) => {
    const records = event.Records.filter((record) => matchesStreamFilter(record, filter));
    if (records.length === 0) return;
    return handler({ Records: records });
  };
}
