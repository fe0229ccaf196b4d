// SQLite statements prepared once per SQL text: the same text reuses its statement, the cache is
// bounded, and a statement kept across a schema change still answers with the new schema.
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/sqlite.js';

const opened: SQLite.Database[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

function memory() {
  const db = new SQLite(':memory:');
  opened.push(db);
  db.exec('create table t (id integer primary key, name text)');
  return db;
}

describe('the statement cache', () => {
  it('prepares a SQL text once and keeps at most `size` statements, dropping the least recently used', () => {
    const db = memory();
    const cached = withStatementCache(db, 2);
    const a = cached.prepare('select * from t where id = ?');
    expect(cached.prepare('select * from t where id = ?')).toBe(a);
    const b = cached.prepare('select name from t');
    cached.prepare('select * from t where id = ?'); // a is the most recent now
    cached.prepare('select id from t'); // drops b
    expect(cached.prepare('select * from t where id = ?')).toBe(a);
    expect(cached.prepare('select name from t')).not.toBe(b);
  });

  it('answers with the new schema after a migration changed it under a kept statement', () => {
    const db = memory();
    const cached = withStatementCache(db);
    cached.prepare('insert into t (name) values (?)').run(['one']);
    const select = cached.prepare('select * from t');
    expect(select.all([])).toEqual([{ id: 1, name: 'one' }]);
    db.exec("alter table t add column state text not null default 'pending'");
    expect(cached.prepare('select * from t').all([])).toEqual([{ id: 1, name: 'one', state: 'pending' }]);
  });
});
