// Which `secretsmanager:` references a connection made (or changed) by spconn uses: one row per
// secret field, with the version read when the connection was last written. `/spconn show` lists
// them; rotation re-reads them and compares versions. No value is ever stored here.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ConnectionRef {
  target: string;
  connection: string;
  /** JSON path of the field in the Atlas body, dot-joined (e.g. `authentication.password`). */
  fieldPath: string;
  /** The reference as given, e.g. `secretsmanager:kafka/prod#password`. */
  reference: string;
  versionId: string | null;
  updatedAt: string;
}

export class ConnectionSecretRefs {
  constructor(private readonly db: Kysely<Database>) {}

  /** Replaces what is remembered for the connection by `refs` (a create or edit writes every secret field). */
  async remember(target: string, connection: string, refs: ReadonlyArray<Omit<ConnectionRef, 'target' | 'connection' | 'updatedAt'>>, at: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('connection_secret_refs').where('target_name', '=', target).where('connection_name', '=', connection).execute();
      if (refs.length === 0) return;
      await tx
        .insertInto('connection_secret_refs')
        .values(
          refs.map((r) => ({
            target_name: target,
            connection_name: connection,
            field_path: r.fieldPath,
            reference: r.reference,
            version_id: r.versionId,
            updated_at: at.toISOString(),
          })),
        )
        .execute();
    });
  }

  async forConnection(target: string, connection: string): Promise<ConnectionRef[]> {
    const rows = await this.db
      .selectFrom('connection_secret_refs')
      .selectAll()
      .where('target_name', '=', target)
      .where('connection_name', '=', connection)
      .orderBy('field_path')
      .execute();
    return rows.map(toRef);
  }

  /** Every remembered reference (rotation's watch). */
  async all(): Promise<ConnectionRef[]> {
    return (await this.db.selectFrom('connection_secret_refs').selectAll().orderBy('target_name').orderBy('connection_name').orderBy('field_path').execute()).map(toRef);
  }

  /**
   * An edit wrote these fields: what was remembered for them no longer applies, and `refs` (a
   * subset of them) is what they use now. Fields the edit left alone keep their references.
   */
  async overwrite(target: string, connection: string, fieldPaths: readonly string[], refs: ReadonlyArray<Omit<ConnectionRef, 'target' | 'connection' | 'updatedAt'>>, at: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const paths = [...new Set([...fieldPaths, ...refs.map((r) => r.fieldPath)])];
      if (paths.length > 0) {
        await tx.deleteFrom('connection_secret_refs').where('target_name', '=', target).where('connection_name', '=', connection).where('field_path', 'in', paths).execute();
      }
      if (refs.length === 0) return;
      await tx
        .insertInto('connection_secret_refs')
        .values(refs.map((r) => ({ target_name: target, connection_name: connection, field_path: r.fieldPath, reference: r.reference, version_id: r.versionId, updated_at: at.toISOString() })))
        .execute();
    });
  }

  /** The connection is gone (deleted by spconn): nothing to rotate any more. */
  async forget(target: string, connection: string): Promise<void> {
    await this.db.deleteFrom('connection_secret_refs').where('target_name', '=', target).where('connection_name', '=', connection).execute();
  }
}

function toRef(row: { target_name: string; connection_name: string; field_path: string; reference: string; version_id: string | null; updated_at: string }): ConnectionRef {
  return { target: row.target_name, connection: row.connection_name, fieldPath: row.field_path, reference: row.reference, versionId: row.version_id, updatedAt: row.updated_at };
}
