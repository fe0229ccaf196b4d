// One Atlas rate-limit budget per project shared by every replica on one PostgreSQL (SPEC §11):
// a row per project holding the tokens left and when the next refill surely happens. A replica
// takes a batch of tokens in one statement (the row locked `FOR UPDATE` inside it, so two replicas
// never take the same token), and lowers the row to what Atlas's headers say, or empties it until
// a 429's Retry-After. Refills are credited a period after the first answer (Atlas's bucket may
// start with the first call), then every period. The pacer bounds every round trip and paces alone
// when this is slow.
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../store/schema.js';
import type { BucketModel, SharedBudget } from './pacer.js';

const takeRow = z.object({ granted: z.coerce.number(), next_refill_at: z.coerce.number().nullable(), credited: z.boolean() });

export class PostgresSharedBudget implements SharedBudget {
  /** Projects whose row this process knows to exist. */
  private readonly known = new Set<string>();

  constructor(private readonly db: Kysely<Database>) {}

  async take(projectId: string, want: number, model: BucketModel): Promise<{ granted: number; retryAt: number | undefined; credited: boolean }> {
    await this.ensure(projectId, model);
    const { now, periodMs, refill } = model;
    const probing = model.probe ?? false;
    const probeWaitMs = model.probeWaitMs ?? 2_000;
    const result = await sql<z.input<typeof takeRow>>`
      with cur as (
        select project_id, capacity, tokens, next_refill_at, probe_until,
          case when next_refill_at is not null and ${now}::double precision >= next_refill_at
            then floor((${now}::double precision - next_refill_at) / ${periodMs}::double precision) + 1 else 0 end as periods
        from atlas_rate_budgets where project_id = ${projectId} for update
      ), refilled as (
        select project_id,
          -- A smaller capacity than the row's (Atlas stated it after the row was made from atlas.pacing)
          -- lowers the row, the tokens spent staying spent; only RateLimit-Limit (observe) raises it.
          least(capacity, ${model.capacity}::double precision,
            greatest(0, tokens - greatest(0, capacity - ${model.capacity}::double precision)) + periods * ${refill}::double precision) as tokens,
          least(capacity, ${model.capacity}::double precision) as capacity, periods, probe_until,
          case when periods > 0 then next_refill_at + periods * ${periodMs}::double precision else next_refill_at end as next_refill_at
        from cur
      ), decided as (
        -- While a probe is out, nobody takes; the first take after a credited refill is that probe.
        select project_id, tokens, capacity, periods, next_refill_at,
          case when probe_until is not null and ${now}::double precision < probe_until then 'wait'
               when periods > 0 and ${probing}::boolean and floor(tokens) >= 1 then 'probe'
               else 'take' end as mode,
          probe_until
        from refilled
      ), granted as (
        select project_id, tokens, capacity, periods, next_refill_at, mode,
          case mode when 'wait' then 0 when 'probe' then 1 else greatest(0, least(floor(tokens), ${want}::double precision)) end as granted,
          case mode when 'wait' then probe_until when 'probe' then ${now}::double precision + ${probeWaitMs}::double precision else null end as probe_until
        from decided
      )
      update atlas_rate_budgets b
      set tokens = g.tokens - g.granted,
          capacity = g.capacity,
          next_refill_at = g.next_refill_at,
          probe_until = g.probe_until,
          updated_at = ${now}::double precision
      from granted g where b.project_id = g.project_id
      returning g.granted as granted,
        case g.mode when 'wait' then least(g.probe_until, ${now}::double precision + 100) else b.next_refill_at end as next_refill_at,
        g.mode = 'probe' or (g.periods > 0 and g.granted > 0) as credited`.execute(this.db);
    const row = takeRow.parse(result.rows[0]);
    return { granted: row.granted, retryAt: row.next_refill_at ?? undefined, credited: row.credited };
  }

  async observe(projectId: string, seen: { limit?: number; remaining?: number; retryAt?: number; probeOutstanding?: number }, model: BucketModel): Promise<void> {
    await this.ensure(projectId, model, seen);
    const limit = seen.limit ?? null;
    if (seen.retryAt !== undefined) {
      // Atlas said exactly when its bucket has a token again.
      await sql`update atlas_rate_budgets set tokens = 0, next_refill_at = ${seen.retryAt}::double precision, probe_until = null,
          capacity = coalesce(${limit}::double precision, capacity), updated_at = ${model.now}::double precision
        where project_id = ${projectId}`.execute(this.db);
      return;
    }
    // A probe's answer: what Atlas has, less what this replica still has in flight, and the others may take again.
    const remaining = seen.remaining === undefined ? null : Math.max(0, seen.remaining - (seen.probeOutstanding ?? 0));
    const probed = seen.probeOutstanding !== undefined;
    // Only ever lowered here: tokens other replicas hold but have not spent are still in Atlas's count.
    await sql`update atlas_rate_budgets set
        capacity = coalesce(${limit}::double precision, capacity),
        tokens = least(tokens, coalesce(${remaining}::double precision, tokens), coalesce(${limit}::double precision, capacity)),
        next_refill_at = coalesce(next_refill_at, ${model.now + model.periodMs}::double precision),
        probe_until = case when ${probed}::boolean then null else probe_until end,
        updated_at = ${model.now}::double precision
      where project_id = ${projectId}`.execute(this.db);
  }

  private async ensure(projectId: string, model: BucketModel, seen: { limit?: number; remaining?: number } = {}): Promise<void> {
    if (this.known.has(projectId)) return;
    const capacity = seen.limit ?? model.capacity;
    const tokens = Math.min(capacity, seen.remaining ?? capacity);
    await sql`insert into atlas_rate_budgets (project_id, tokens, capacity, next_refill_at, updated_at)
      values (${projectId}, ${tokens}::double precision, ${capacity}::double precision, null, ${model.now}::double precision)
      on conflict (project_id) do nothing`.execute(this.db);
    this.known.add(projectId);
  }
}
