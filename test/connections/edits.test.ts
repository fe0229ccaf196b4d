// The pure core of an edit: which fields a PATCH carries, when a change is a replace, how the card
// shows it, and which stream processors name a connection.
import { describe, expect, it } from 'vitest';
import { pipelineNamesConnection } from '../../src/atlas/streams.js';
import { changeLines, planEdit, startedProcessors } from '../../src/connections/edits.js';
import { quorumActionOf } from '../../src/requests/lifecycle.js';

const kafka = {
  name: 'events',
  type: 'Kafka',
  state: 'READY',
  bootstrapServers: 'b:9092',
  security: { protocol: 'SASL_SSL' },
  authentication: { mechanism: 'PLAIN', username: 'u' },
  networking: { access: { type: 'PUBLIC' } },
};

describe('planEdit', () => {
  it('sends name, type and the changed top-level fields only', () => {
    const plan = planEdit(kafka, { ...kafka, state: undefined, bootstrapServers: 'c:9092' }, []);
    expect(plan).toMatchObject({ kind: 'edit', patch: { name: 'events', type: 'Kafka', bootstrapServers: 'c:9092' } });
    expect(plan.kind === 'edit' && Object.keys(plan.patch).sort()).toEqual(['bootstrapServers', 'name', 'type']);
  });

  it('finds no change when the form says what Atlas has', () => {
    const { state: _, ...body } = kafka;
    expect(planEdit(kafka, body, [])).toEqual({ kind: 'none' });
  });

  it('makes a change of type or networking a replace', () => {
    expect(planEdit(kafka, { name: 'events', type: 'Https', url: 'https://x.example' }, [])).toMatchObject({ kind: 'replace', reason: expect.stringMatching(/Kafka to Https/) });
    const privateLink = { ...kafka, networking: { access: { type: 'PRIVATE_LINK', connectionId: 'abc' } } };
    expect(planEdit(privateLink, { ...kafka }, [])).toMatchObject({ kind: 'replace', reason: expect.stringMatching(/PRIVATE_LINK → PUBLIC/) });
    // No networking in the body (HTTPS, S3): nothing said, nothing changed.
    expect(planEdit({ name: 'h', type: 'Https', url: 'https://x.example' }, { name: 'h', type: 'Https', url: 'https://y.example' }, []).kind).toBe('edit');
  });

  it('shows a secret only as changed or removed, never its value, old or new', () => {
    const current = { name: 'h', type: 'Https', url: 'https://x.example', headers: { Authorization: 'old-secret-1', 'X-Old': 'old-secret-2' } };
    const plan = planEdit(current, { name: 'h', type: 'Https', url: 'https://x.example', headers: { Authorization: 'new-secret-1' } }, ['new-secret-1']);
    const lines = JSON.stringify(changeLines(plan.kind === 'edit' ? plan.changes : []));
    expect(lines).toContain('headers.Authorization');
    expect(lines).toContain('_changed (secret)_');
    expect(lines).toContain('_removed (secret)_');
    expect(lines).not.toMatch(/old-secret|new-secret/);
  });

  it('shows a plain field as before → after, escaped', () => {
    const plan = planEdit(kafka, { ...kafka, bootstrapServers: '<!channel>:9092' }, []);
    expect(changeLines(plan.kind === 'edit' ? plan.changes : [])).toEqual([['bootstrapServers', '`b:9092` → `&lt;!channel&gt;:9092`']]);
  });
});

describe('stream processors that name a connection', () => {
  it('finds connectionName at any depth of any stage', () => {
    const pipeline = [{ $source: { connectionName: 'a' } }, { $lookup: { from: { connectionName: 'b', db: 'x' } } }, { $merge: { into: { connectionName: 'c' } } }];
    expect(['a', 'b', 'c', 'd'].map((n) => pipelineNamesConnection(pipeline, n))).toEqual([true, true, true, false]);
    expect(startedProcessors([{ name: 'p', state: 'STARTED' }, { name: 'q', state: 'STOPPED' }])).toEqual(['p']);
  });
});

describe('quorum', () => {
  it('counts approvals of an edit and of a replace under their own action names', () => {
    expect(quorumActionOf({ action: 'edit', callKind: 'edit' })).toBe('edit');
    expect(quorumActionOf({ action: 'replace', callKind: 'replace' })).toBe('replace');
  });
});
