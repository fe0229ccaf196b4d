// The logger's second line of defence: values under secret keys never reach a log line, at the
// depths spconn's lines have, in objects, arrays and errors; lines without secrets are untouched.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censorSecrets, createLogger } from '../src/log.js';

const CANARY = 'CANARY-log-secret-7f3a';

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('log censoring', () => {
  it('replaces secret values at the top, one and two levels down, in arrays and in errors', () => {
    const { logger, lines } = captured();
    const err = Object.assign(new Error('Atlas said no'), { password: CANARY, status: 401 });
    logger.info(
      {
        token: CANARY,
        atlas: { method: 'GET', headers: { Authorization: `Digest ${CANARY}` }, body: { password: CANARY, name: 'kafka-1' } },
        targets: [{ name: 'sandbox', clientSecret: CANARY }],
        err,
      },
      'a line',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(CANARY);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      token: '[redacted]',
      atlas: { method: 'GET', headers: '[redacted]', body: { password: '[redacted]', name: 'kafka-1' } },
      targets: [{ name: 'sandbox', clientSecret: '[redacted]' }],
      err: { message: 'Atlas said no', status: 401, password: '[redacted]' },
      msg: 'a line',
    });
    // The error keeps its stack, and the caller's objects are left as they were.
    expect((line.err as { stack: string }).stack).toContain('Atlas said no');
    expect(err.password).toBe(CANARY);
  });

  it('returns a line without secrets as it is, without copying it', () => {
    const line = { requestId: 'r1', atlas: { method: 'GET', endpoint: '/groups/{groupId}', status: '200', ms: 12 }, err: new Error('plain') };
    expect(censorSecrets(line)).toBe(line);
  });
});
