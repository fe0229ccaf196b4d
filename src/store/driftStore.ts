// Drift watching's durable state: each target's cursor and the claim of each alerted event. A claim
// is a conditional insert, so of several replicas reading the same event only one posts it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface DriftCursor {
  startedAt: Date;
  since: Date;
}

export class DriftStore {
  constructor(private readonly db: Kysely<Database>) {}

  async cursor(target: string): Promise<DriftCursor | undefined> {
    const row = await this.db.selectFrom('drift_cursors').selectAll().where('target_name', '=', target).executeTakeFirst();
    return row ? { startedAt: new Date(row.started_at), since: new Date(row.since) } : undefined;
  }

  /** Watching starts now (the first replica to get here sets it); returns the cursor that holds. */
  async begin(target: string, now: Date): Promise<DriftCursor> {
    const at = now.toISOString();
    await this.db
      .insertInto('drift_cursors')
      .values({ target_name: target, started_at: at, since: at, updated_at: at })
      .onConflict((oc) => oc.column('target_name').doNothing())
      .execute();
    return (await this.cursor(target))!;
  }

  /** Moves the cursor forward only (a slower replica never moves it back). */
  async advance(target: string, since: Date, now: Date): Promise<void> {
    await this.db
      .updateTable('drift_cursors')
      .set({ since: since.toISOString(), updated_at: now.toISOString() })
      .where('target_name', '=', target)
      .where('since', '<', since.toISOString())
      .execute();
  }

  /** True for the one caller that claims the event for the target; false when already claimed. */
  async claim(target: string, eventId: string, now: Date): Promise<boolean> {
    const res = await this.db
      .insertInto('drift_alerts')
      .values({ target_name: target, event_id: eventId, at: now.toISOString() })
      .onConflict((oc) => oc.columns(['target_name', 'event_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Gives a claim back when its message could not be posted, so the next period tries again. */
  async release(target: string, eventId: string): Promise<void> {
    await this.db.deleteFrom('drift_alerts').where('target_name', '=', target).where('event_id', '=', eventId).execute();
  }
}
