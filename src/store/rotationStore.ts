// Rotation's durable state: the claim of each new version noticed per connection (a conditional
// insert, so of several replicas or a restarted one only one opens the rotation), and whether a
// rotation of the connection is open now (none is opened beside it).
import type { Kysely } from 'kysely';
import { OPEN_STATES, type Database } from './schema.js';

export class RotationStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The id of an open rotation request of the connection, if there is one. */
  async openRotation(target: string, connection: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('requests')
      .select('id')
      .where('target_name', '=', target)
      .where('connection_name', '=', connection)
      .where('action', '=', 'rotate')
      .where('state', 'in', [...OPEN_STATES])
      .executeTakeFirst();
    return row?.id;
  }

  /** True for the one caller that claims these versions for the connection; false when already claimed. */
  async claim(target: string, connection: string, versions: string, now: Date): Promise<boolean> {
    const res = await this.db
      .insertInto('rotation_claims')
      .values({ target_name: target, connection_name: connection, versions, at: now.toISOString() })
      .onConflict((oc) => oc.columns(['target_name', 'connection_name', 'versions']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Gives a claim back when its rotation could not be opened, so the next period tries again. */
  async release(target: string, connection: string, versions: string): Promise<void> {
    await this.db.deleteFrom('rotation_claims').where('target_name', '=', target).where('connection_name', '=', connection).where('versions', '=', versions).execute();
  }
}
