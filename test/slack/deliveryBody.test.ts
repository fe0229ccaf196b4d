// The check in front of Bolt takes every real delivery Slack sends, and tells kinds apart as Bolt does.
import { readFileSync } from 'node:fs';
import { parse } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { checkDeliveryBody } from '../../src/slack/deliveryBody.js';

const sample = (name: string) => readFileSync(new URL(`../fixtures/slack-payloads/${name}`, import.meta.url), 'utf8');
const json = (name: string) => JSON.parse(sample(name)) as Record<string, unknown>;

describe('checkDeliveryBody', () => {
  it('takes every real delivery in Slack’s own samples', () => {
    // A slash command is a form; Bolt hands it on as the parsed form.
    expect(checkDeliveryBody(parse(sample('slash-command.urlencoded.txt').trim()))).toEqual({ ok: true, kind: 'slash_command' });
    expect(checkDeliveryBody(json('view_submission.json'))).toEqual({ ok: true, kind: 'view_submission' });
    expect(checkDeliveryBody(json('block_actions.message.json'))).toEqual({ ok: true, kind: 'block_actions' });
    expect(checkDeliveryBody(json('block_actions.in-modal.json'))).toEqual({ ok: true, kind: 'block_actions' });
  });

  it('takes an org-wide install’s payload, whose team is null', () => {
    expect(checkDeliveryBody({ ...json('view_submission.json'), team: null })).toEqual({ ok: true, kind: 'view_submission' });
  });

  it('lets through what Bolt answers by itself: the SSL check and the URL verification', () => {
    expect(checkDeliveryBody({ ssl_check: '1', token: 'x' })).toEqual({ ok: true, kind: 'ssl_check' });
    expect(checkDeliveryBody({ type: 'url_verification', token: 'x', challenge: 'abc' })).toEqual({ ok: true, kind: 'url_verification' });
  });

  it('refuses a payload carrying a key that would make Bolt route it as another kind', () => {
    // Bolt looks for `event`, then `command`, then `name`, then `actions`, before it reads `type`.
    expect(checkDeliveryBody({ ...json('block_actions.message.json'), command: '/spconn' }).ok).toBe(false);
    expect(checkDeliveryBody({ ...json('block_actions.message.json'), name: 'menu' }).ok).toBe(false);
    expect(checkDeliveryBody({ ...json('view_submission.json'), actions: [] }).ok).toBe(false);
    expect(checkDeliveryBody({ ...json('view_submission.json'), event: {} }).ok).toBe(false);
  });

  it('refuses an Events API event and a kind of interactivity spconn does not take', () => {
    expect(checkDeliveryBody({ type: 'event_callback', event: { type: 'app_mention' } })).toMatchObject({ ok: false, problem: expect.stringContaining('Events API') });
    expect(checkDeliveryBody({ ...json('block_actions.message.json'), type: 'shortcut' }).ok).toBe(false);
  });

  it('names the fields at fault, never what they hold', () => {
    const checked = checkDeliveryBody({ ...json('view_submission.json'), user: { id: ['CANARY-3f9a'] }, trigger_id: { secret: 'CANARY-3f9a' } });
    expect(checked).toMatchObject({ ok: false, problem: expect.stringContaining('user.id') });
    expect(JSON.stringify(checked)).not.toContain('CANARY');
  });
});
