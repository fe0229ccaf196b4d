// The same driver, over Socket Mode: each payload goes to the app as a Socket Mode envelope from
// the Slack emulator, and the "response" is the app's acknowledgement payload.
import type { SocketModeHub } from '../../src/sandbox/slack/socketMode.js';
import { SlackDriver, type SignedResponse } from './slackDriver.js';

export class SocketModeDriver extends SlackDriver {
  constructor(
    appUrl: string,
    private readonly hub: SocketModeHub,
    team?: string,
  ) {
    super(appUrl, 'socket-mode-has-no-signing-secret', team);
  }

  /** The HTTP driver's form body, turned into the envelope Slack sends over the socket instead. */
  override async post(body: string, opts: { contentType?: string } = {}): Promise<SignedResponse> {
    // An Events API delivery is JSON over HTTP; over the socket its envelope carries the same body.
    if (opts.contentType === 'application/json') {
      const ack = await this.hub.deliver('events_api', JSON.parse(body) as Record<string, unknown>);
      const text = ack && Object.keys(ack).length > 0 ? JSON.stringify(ack) : '';
      return { status: 200, text, json: () => (text ? JSON.parse(text) : undefined) };
    }
    const form = new URLSearchParams(body);
    const payload = form.get('payload');
    const ack = payload
      ? await this.hub.deliver('interactive', JSON.parse(payload) as Record<string, unknown>)
      : await this.hub.deliver('slash_commands', Object.fromEntries(form));
    const text = ack && Object.keys(ack).length > 0 ? JSON.stringify(ack) : '';
    return { status: 200, text, json: () => (text ? JSON.parse(text) : undefined) };
  }
}
