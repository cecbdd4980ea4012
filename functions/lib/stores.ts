/** Stores in DynamoDB: id, display name and coordinates (where drivers pick up). */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CoordinatesValue } from '../../domain/order.js';

export interface StoreRecord {
  readonly storeId: string;
  readonly name: string;
  readonly coordinates: CoordinatesValue;
}

export class StoreRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(storeId: string): Promise<StoreRecord | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { storeId } }));
    const item = out.Item;
    if (item === undefined) return null;
    const c: unknown = item.coordinates;
    if (typeof c !== 'object' || c === null) throw new Error(`store ${storeId} has no coordinates`);
    const { latitude, longitude } = c as Record<string, unknown>;
    if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new Error(`store ${storeId} has malformed coordinates`);
    return { storeId, name: typeof item.name === 'string' ? item.name : storeId, coordinates: { latitude, longitude } };
  }
}
