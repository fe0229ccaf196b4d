// Drives the app as Slack does: signed form posts to /slack/events shaped like the samples in
// shared/slack/payloads (slash command body, view_submission, block_actions from a message).
import { createHmac } from 'node:crypto';

export interface SignedResponse {
  status: number;
  text: string;
  json(): unknown;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface ElementState {
  type: string;
  value?: string | null;
  selected_option?: { text: { type: 'plain_text'; text: string }; value: string } | null;
}

/** Builds a view state entry as Slack does for each element kind. */
export const state = {
  text: (value: string | null): ElementState => ({ type: 'plain_text_input', value }),
  external: (value: string | null): ElementState => ({
    type: 'external_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text: value.slice(0, 75) }, value },
  }),
  select: (value: string | null): ElementState => ({
    type: 'static_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text: value }, value },
  }),
};

export class SlackDriver {
  constructor(
    readonly appUrl: string,
    readonly signingSecret: string,
    readonly team = 'T0SPCONN1',
  ) {}

  async post(body: string, opts: { timestamp?: number; signature?: string | null } = {}): Promise<SignedResponse> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      Accept: 'application/json,*/*',
      'X-Slack-Request-Timestamp': String(timestamp),
    };
    const signature = opts.signature === undefined ? sign(this.signingSecret, timestamp, body) : opts.signature;
    if (signature !== null) headers['X-Slack-Signature'] = signature;
    const res = await fetch(`${this.appUrl}/slack/events`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, text, json: () => (text ? JSON.parse(text) : undefined) };
  }

  slashCommandBody(text: string, opts: { user: string; channel: string; triggerId: string }): string {
    return new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: this.team,
      team_domain: 'spconn-test',
      channel_id: opts.channel,
      channel_name: 'platform',
      user_id: opts.user,
      user_name: opts.user.toLowerCase(),
      command: '/spconn',
      text,
      api_app_id: 'A0SPCONN1',
      is_enterprise_install: 'false',
      response_url: 'https://hooks.slack.com/commands/T0SPCONN1/1/xxx',
      trigger_id: opts.triggerId,
    }).toString();
  }

  command(text: string, opts: { user: string; channel: string; triggerId: string }): Promise<SignedResponse> {
    return this.post(this.slashCommandBody(text, opts));
  }

  /** The fields every interactive payload carries about who acted, where. */
  private from(user: string) {
    return {
      team: { id: this.team, domain: 'spconn-test' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.team },
      api_app_id: 'A0SPCONN1',
      token: 'legacy-verification-token',
    };
  }

  private interactive(payload: unknown): Promise<SignedResponse> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  submitView(
    view: { id: string; callback_id?: string; private_metadata?: string; blocks?: unknown[]; hash?: string; title?: unknown },
    values: Record<string, Record<string, ElementState>>,
    opts: { user: string; triggerId?: string },
  ): Promise<SignedResponse> {
    return this.interactive({
      type: 'view_submission',
      ...this.from(opts.user),
      trigger_id: opts.triggerId ?? '768915595217.771150964790.bbc12e4f1483ce782cd891edf9dca94c',
      view: { ...viewPayload(view, this.team, values), title: view.title ?? { type: 'plain_text', text: 'spconn' }, clear_on_close: false, notify_on_close: false },
    });
  }

  /** A choice in a select of a modal whose input block dispatches actions (`block_actions` from a view). */
  selectInView(view: ViewLike, values: Record<string, Record<string, ElementState>>, blockId: string, actionId: string, opts: { user: string }): Promise<SignedResponse> {
    return this.interactive({
      type: 'block_actions',
      ...this.from(opts.user),
      container: { type: 'view', view_id: view.id },
      trigger_id: '123123.123123.abcabc',
      view: viewPayload(view, this.team, values),
      actions: [{ type: 'static_select', action_id: actionId, block_id: blockId, selected_option: values[blockId]?.[actionId]?.selected_option, action_ts: `${Date.now() / 1000}` }],
    });
  }

  /** What the user typed into an external_select (`block_suggestion`); the answer is the options. */
  suggest(view: ViewLike, values: Record<string, Record<string, ElementState>>, blockId: string, actionId: string, typed: string, opts: { user: string }): Promise<SignedResponse> {
    return this.interactive({
      type: 'block_suggestion',
      ...this.from(opts.user),
      container: { type: 'view', view_id: view.id },
      action_id: actionId,
      block_id: blockId,
      value: typed,
      view: viewPayload(view, this.team, values),
    });
  }

  /** A click on a button of a channel message, as `block_actions` with a message container. */
  clickButton(
    message: { channel: string; ts: string; blocks: unknown[]; text?: string },
    actionId: string,
    opts: { user: string; triggerId?: string },
  ): Promise<SignedResponse> {
    const button = findButton(message.blocks, actionId);
    if (!button) throw new Error(`no button ${actionId} on message ${message.ts}`);
    return this.interactive({
      type: 'block_actions',
      ...this.from(opts.user),
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      trigger_id: opts.triggerId ?? '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
      channel: { id: message.channel, name: 'platform' },
      message: { type: 'message', bot_id: 'B0SPCONN1', text: message.text ?? '', ts: message.ts, blocks: message.blocks },
      state: { values: {} },
      response_url: 'https://hooks.slack.com/actions/T0SPCONN1/1/xxx',
      actions: [
        {
          action_id: actionId,
          block_id: button.blockId,
          text: button.text,
          value: button.value,
          type: 'button',
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
  }
}

export interface ViewLike {
  id: string;
  hash?: string;
  callback_id?: string;
  private_metadata?: string;
  blocks?: unknown[];
}

export function viewPayload(view: ViewLike, team: string, values: Record<string, Record<string, ElementState>>) {
  return {
    id: view.id,
    team_id: team,
    type: 'modal',
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values },
    hash: view.hash ?? '1569562184.10297bc3',
    root_view_id: view.id,
    previous_view_id: null,
    app_id: 'A0SPCONN1',
    external_id: '',
    bot_id: 'B0SPCONN1',
  };
}

interface FoundButton {
  blockId: string;
  value?: string;
  text: unknown;
}

function findButton(blocks: unknown[], actionId: string): FoundButton | undefined {
  for (const block of blocks as Array<{ type?: string; block_id?: string; elements?: Array<Record<string, unknown>> }>) {
    if (block.type !== 'actions') continue;
    const el = block.elements?.find((e) => e.action_id === actionId);
    if (el) return { blockId: block.block_id ?? '', value: el.value as string | undefined, text: el.text };
  }
  return undefined;
}
