// Drift watching's pure decisions and the emulator's event feed, without a server.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectEventSchema, type ProjectEvent } from '../../src/atlas/events.js';
import { parseConfig } from '../../src/config/file.js';
import { driftChanges, isOwn, nextCursor } from '../../src/drift/decide.js';
import { driftAlertText } from '../../src/modals/driftAlert.js';
import { EventLog, listEvents } from '../../src/sandbox/atlas/events.js';

const T0 = Date.parse('2026-12-01T09:00:00.000Z');
const event = (over: Partial<ProjectEvent> & { at: number }): ProjectEvent =>
  projectEventSchema.parse({ id: `e${over.at}`, created: new Date(over.at).toISOString(), eventTypeName: 'STREAM_TENANT_CONNECTION_CREATED', instanceName: 'inst', raw: { connectionName: 'c1' }, ...over });

describe('which events are drift', () => {
  const base = { targetName: 'prod', instance: 'inst', own: ['mypub'], startedAt: new Date(T0) };

  it('keeps outside changes to the target’s instance since watching began, oldest first', () => {
    const events = [
      event({ at: T0 - 1, username: 'early@example.com' }),
      event({ at: T0 + 1, username: 'a@example.com' }),
      event({ at: T0 + 2, publicKey: 'mypub', apiKeyId: 'k1' }),
      event({ at: T0 + 3, publicKey: 'otherpub', eventTypeName: 'STREAM_TENANT_CONNECTION_DELETED' }),
      event({ at: T0 + 4, username: 'b@example.com', instanceName: 'another' }),
      event({ at: T0 + 5, username: 'c@example.com', eventTypeName: 'STREAM_TENANT_CONNECTION_VIEWED' }),
    ];
    const changes = driftChanges({ ...base, events });
    expect(changes.map((c) => [c.eventId, c.action, c.actor])).toEqual([
      [`e${T0 + 1}`, 'created', { kind: 'user', username: 'a@example.com' }],
      [`e${T0 + 3}`, 'deleted', { kind: 'key', publicKey: 'otherpub' }],
    ]);
  });

  it('recognises a service account’s client ID wherever Atlas may put it', () => {
    for (const where of [{ publicKey: 'mdb_sa_id_1' }, { username: 'mdb_sa_id_1' }, { delegatePrincipal: { id: 'mdb_sa_id_1' } }]) {
      expect(isOwn(event({ at: T0, ...where }), ['mdb_sa_id_1'])).toBe(true);
    }
    expect(isOwn(event({ at: T0, publicKey: 'mdb_sa_id_2' }), ['mdb_sa_id_1'])).toBe(false);
  });

  it('moves the cursor to the newest event, never back', () => {
    expect(nextCursor(new Date(T0 + 10), [event({ at: T0 + 5 })])).toEqual(new Date(T0 + 10));
    expect(nextCursor(new Date(T0), [event({ at: T0 + 5 }), event({ at: T0 + 7 })])).toEqual(new Date(T0 + 7));
  });

  it('says when Atlas did not name the connection or the actor, and escapes what it did name', () => {
    const [change] = driftChanges({ ...base, events: [event({ at: T0 + 1, raw: {} })] });
    expect(driftAlertText(change!)).toContain('a connection (Atlas did not say which)');
    expect(driftAlertText(change!)).toContain('someone Atlas did not name');
    const [hostile] = driftChanges({ ...base, events: [event({ at: T0 + 1, username: '<!here>', raw: { connectionName: 'a`<@U1>`' } })] });
    const text = driftAlertText(hostile!);
    expect(text).not.toMatch(/<!here>|<@U1>/);
    expect(text).toContain("`a'&lt;@U1&gt;'`");
  });
});

describe('the emulator’s event feed', () => {
  it('filters by type and minDate, newest first, in pages, raw only when asked', () => {
    let now = T0;
    const log = new EventLog(() => now);
    for (let i = 0; i < 7; i++) {
      now += 1000;
      log.recordConnectionEvent('g', { action: i % 2 ? 'update' : 'create', instance: 'inst', connectionName: `c${i}`, actor: { username: 'u@example.com' } });
    }
    const q = (s: string) => listEvents(log.events('g'), new URLSearchParams(s)).body as { results: ProjectEvent[]; totalCount: number };
    const created = q('eventType=STREAM_TENANT_CONNECTION_CREATED&itemsPerPage=2&pageNum=1');
    expect(created.totalCount).toBe(4);
    expect(created.results.map((e) => e.created)).toEqual([new Date(T0 + 7000).toISOString(), new Date(T0 + 5000).toISOString()]);
    expect(created.results[0]!.raw).toBeUndefined();
    expect(q('eventType=STREAM_TENANT_CONNECTION_CREATED&itemsPerPage=2&pageNum=2').results).toHaveLength(2);
    const since = q(`minDate=${new Date(T0 + 6000).toISOString()}&includeRaw=true`);
    expect(since.results.map((e) => e.raw?.connectionName)).toEqual(['c6', 'c5']);
    expect(listEvents([], new URLSearchParams('minDate=yesterday')).status).toBe(400);
  });
});

describe('drift.watchEvery', () => {
  const raw = (drift: unknown) => ({ atlas: { apiKeySecret: 'k' }, drift, targets: [{ name: 'prod', projectId: 'a'.repeat(24), instance: 'i', owners: ['U0OWNER001'] }] });
  it('is off by default and validated', () => {
    expect(parseConfig(raw(undefined), 'test').drift.watchEvery).toBeUndefined();
    expect(parseConfig(raw({ watchEvery: '5m' }), 'test').drift.watchEvery).toBe(300_000);
    expect(() => parseConfig(raw({ watchEvery: '1s' }), 'test')).toThrow(/drift\.watchEvery: at least 10s/);
    expect(() => parseConfig(raw({ every: '5m' }), 'test')).toThrow(/drift/);
  });
});

describe('the alert over hostile text', () => {
  const ATTACKS = ['<!channel>', '<!here>', '<@U0ATTACKER>', '<!subteam^S0ATTACK>', '<https://phish.example|Click>', '<#C0ATTACK>', '`', '*'];
  const hostile = fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...ATTACKS), fc.string({ maxLength: 12 })).map(([a, b, c]) => `${a}${b}${c}`);
  it('lets no mention or link of theirs through, wherever Atlas or a person put it', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, fc.boolean(), (who, name, instance, person) => {
        const [change] = driftChanges({
          targetName: 'prod',
          instance,
          own: [],
          startedAt: new Date(T0),
          events: [event({ at: T0 + 1, instanceName: instance, raw: { connectionName: name }, ...(person ? { username: who } : { publicKey: who }) })],
        });
        const text = driftAlertText(change!);
        expect(text).not.toMatch(/<!channel>|<!here>|<@U0ATTACKER>|<!subteam\^S0ATTACK>|<https:\/\/phish|<#C0ATTACK>/);
        // spconn's own markup only: the date token.
        expect(text.match(/</g)).toHaveLength(1);
      }),
    );
  });
});
