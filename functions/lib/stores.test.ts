import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_STORE_ID, fitsQueueName, storeDeadLetterQueueName, storeQueueName } from './stores.js';

const PREFIX = 'ServerlessPizza-dev-store-';

describe('store queue names', () => {
  it('names every store’s queue under the prefix and the stores’ one dead-letter queue `<prefix>dlq`', () => {
    expect(storeQueueName(PREFIX, 'kensington-pies')).toBe('ServerlessPizza-dev-store-kensington-pies');
    expect(storeDeadLetterQueueName(PREFIX)).toBe('ServerlessPizza-dev-store-dlq');
    expect(storeDeadLetterQueueName('store-')).toBe('store-dlq');
  });

  it('refuses the one id whose queue would be the dead-letter queue', () => {
    expect(fitsQueueName(PREFIX, DEAD_LETTER_STORE_ID)).toBe(false);
    // Ids that only look like a dead-letter queue are stores like any other: nothing appends `-dlq` any more.
    expect(fitsQueueName(PREFIX, 'a-dlq')).toBe(true);
    expect(fitsQueueName(PREFIX, 'dlq2')).toBe(true);
  });

  it('keeps a queue name within SQS’s 80 characters', () => {
    const room = 80 - PREFIX.length;
    expect(fitsQueueName(PREFIX, 'x'.repeat(room))).toBe(true);
    expect(fitsQueueName(PREFIX, 'x'.repeat(room + 1))).toBe(false);
  });
});
