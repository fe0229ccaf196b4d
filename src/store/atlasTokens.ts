// One OAuth token per Atlas service account for all replicas (PostgreSQL), sealed with the store's
// sealer. A replica that finds a usable token uses it; minting holds a transaction-scoped advisory
// lock on the account, so replicas starting together (or seeing the same 401) mint one token, not
// one each. SQLite (one replica) keeps the token in memory instead: a transaction held across the
// token request would block the single connection every other store call needs.
import { sql, type Kysely } from 'kysely';
import type { MintedToken, SharedTokens } from '../atlas/serviceAccount.js';
import type { Sealer } from '../secrets/sealing.js';
import type { RequestStore } from './requestStore.js';
import type { Database } from './schema.js';

/** The first key of spconn's advisory locks on service accounts ("spcn" in ASCII). */
const LOCK_NAMESPACE = 0x7370636e;

export class StoredAtlasTokens implements SharedTokens {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: Sealer,
  ) {}

  async obtain(account: string, opts: { refused?: string; usable: (token: MintedToken) => boolean; waitMs: number }, mint: () => Promise<MintedToken>): Promise<MintedToken> {
    // Neither the client ID nor the origin is kept in clear: the row is found by a keyed digest.
    const id = this.sealer.digest(`atlas-service-account:${account}`);
    const seen = await this.read(this.db, id);
    if (seen && opts.usable(seen)) return seen;
    return this.db.transaction().execute(async (tx) => {
      // The wait for another replica's mint has a deadline too (lock_timeout covers advisory locks).
      await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(opts.waitMs))}ms`}, true)`.execute(tx);
      await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${id}))`.execute(tx);
      // Another replica may have minted while this one waited for the lock.
      const again = await this.read(tx, id);
      if (again && opts.usable(again)) return again;
      const minted = await mint();
      const row = {
        sealed_token: this.sealer.seal(minted.token, id),
        minted_at: new Date(minted.mintedAt).toISOString(),
        expires_at: new Date(minted.expiresAt).toISOString(),
      };
      await tx
        .insertInto('atlas_tokens')
        .values({ account: id, ...row })
        .onConflict((oc) => oc.column('account').doUpdateSet(row))
        .execute();
      return minted;
    });
  }

  private async read(db: Kysely<Database>, id: string): Promise<MintedToken | undefined> {
    const row = await db.selectFrom('atlas_tokens').selectAll().where('account', '=', id).executeTakeFirst();
    if (!row) return undefined;
    try {
      return { token: this.sealer.open(row.sealed_token, id), mintedAt: Date.parse(row.minted_at), expiresAt: Date.parse(row.expires_at) };
    } catch {
      // Sealed under another encryption key: as good as absent, a new token replaces it.
      return undefined;
    }
  }
}

/** The shared token store where replicas share a database (PostgreSQL); none for SQLite. */
export function sharedAtlasTokens(store: RequestStore, sealer: Sealer): SharedTokens | undefined {
  return store.dialect === 'postgres' ? new StoredAtlasTokens(store.db, sealer) : undefined;
}
