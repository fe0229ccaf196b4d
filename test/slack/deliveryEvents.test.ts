// The check in front of Bolt admits the one Events API event spconn subscribes to, shaped as Slack
// sends it, and refuses every other event and every malformed envelope before Bolt routes it.
import { describe, expect, it } from 'vitest';
import { appHomeOpenedEnvelope } from '../../src/sandbox/slack/driver.js';
import { checkDeliveryBody } from '../../src/slack/deliveryBody.js';

const envelope = () => appHomeOpenedEnvelope('T0TEAM', 'U0ONE');

describe('checkDeliveryBody and the Events API', () => {
  it('takes app_home_opened in its event_callback envelope, with or without the Home view', () => {
    expect(checkDeliveryBody(envelope())).toEqual({ ok: true, kind: 'event_callback' });
    expect(checkDeliveryBody(appHomeOpenedEnvelope('T0TEAM', 'U0ONE', { view: { id: 'V1', type: 'home', blocks: [] } }))).toEqual({ ok: true, kind: 'event_callback' });
  });

  it('refuses events spconn does not subscribe to', () => {
    const e = envelope();
    expect(checkDeliveryBody({ ...e, event: { type: 'app_mention', user: 'U1', text: 'hi', channel: 'C1', event_ts: '1.2' } })).toMatchObject({ ok: false, problem: expect.stringContaining('does not subscribe') });
    expect(checkDeliveryBody({ ...e, type: 'app_rate_limited' }).ok).toBe(false);
    expect(checkDeliveryBody({ ...e, event: 'app_home_opened' }).ok).toBe(false);
  });

  it('names the fields at fault in a malformed envelope, never their values', () => {
    const e = envelope();
    const checked = checkDeliveryBody({ ...e, event: { ...e.event, user: { id: 'CANARY-77a1' } }, team_id: undefined });
    expect(checked).toMatchObject({ ok: false, problem: expect.stringMatching(/event\.user.*team_id|team_id.*event\.user/) });
    expect(JSON.stringify(checked)).not.toContain('CANARY');
    expect(checkDeliveryBody({ ...e, command: '/spconn' }).ok).toBe(false);
    expect(checkDeliveryBody({ ...e, event_time: 'soon' }).ok).toBe(false);
  });
});
