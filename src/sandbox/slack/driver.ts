// Speaks to the app as Slack does: signed form posts to /slack/events shaped like the samples in
// shared/slack/payloads (slash command body, view_submission, block_actions from a message or a
// modal, block_suggestion). The tests drive the app with it, and so does the playground's server.
import { createHmac } from 'node:crypto';

export interface SignedResponse {
  status: number;
  text: string;
  json(): unknown;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface SelectedOption {
  text: PlainText;
  value: string;
}

/** One element's entry in `view.state.values`, as Slack builds it for each element kind. */
export interface ElementState {
  type: string;
  value?: string | null;
  selected_option?: SelectedOption | null;
  selected_options?: SelectedOption[];
}

export type ViewStateValues = Record<string, Record<string, ElementState>>;

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

/** A view as the app sees it in an interaction; fields not given get Slack's usual values. */
export interface ViewLike {
  id: string;
  /** `modal` unless given: a Home tab's view is `home`. */
  type?: unknown;
  hash?: string;
  callback_id?: string;
  private_metadata?: string;
  blocks?: unknown[];
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  root_view_id?: unknown;
  previous_view_id?: unknown;
  external_id?: unknown;
}

/** The element that was acted on, as it appears in `actions[]`. */
export interface ActedElement {
  type: string;
  action_id: string;
  block_id: string;
  text?: unknown;
  value?: string;
  selected_option?: SelectedOption | null;
  selected_options?: SelectedOption[];
  style?: string;
  confirm?: unknown;
}

/** Where an action happened: a channel message (perhaps ephemeral, perhaps in a thread) or a modal. */
export type ActionSource =
  | { kind: 'message'; channel: string; ts: string; threadTs?: string; blocks: unknown[]; text?: string; ephemeral?: boolean }
  | { kind: 'view'; view: ViewLike; values: ViewStateValues };

const PLACEHOLDER_TRIGGER = '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3';

export class SlackDriver {
  constructor(
    readonly appUrl: string,
    readonly signingSecret: string,
    readonly team = 'T0SPCONN1',
  ) {}

  /** Posts a body signed as Slack signs it; a test may send another signature, timestamp or content type. */
  async post(body: string, opts: { timestamp?: number; signature?: string | null; contentType?: string } = {}): Promise<SignedResponse> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': opts.contentType ?? 'application/x-www-form-urlencoded',
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

  private from(user: string) {
    return actor(this.team, user);
  }

  private interactive(payload: unknown): Promise<SignedResponse> {
    return this.post(interactiveBody(payload));
  }

  submitView(view: ViewLike, values: ViewStateValues, opts: { user: string; triggerId?: string }): Promise<SignedResponse> {
    return this.post(this.submitViewBody(view, values, opts));
  }

  /** The form body of a `view_submission`, as Slack posts it (for tests that look at its size). */
  submitViewBody(view: ViewLike, values: ViewStateValues, opts: { user: string; triggerId?: string }): string {
    return interactiveBody(viewSubmissionPayload(this.team, view, values, opts));
  }

  /** A choice in a select of a modal whose input block dispatches actions (`block_actions` from a view). */
  selectInView(view: ViewLike, values: ViewStateValues, blockId: string, actionId: string, opts: { user: string; triggerId?: string }): Promise<SignedResponse> {
    const entry = values[blockId]?.[actionId];
    return this.act(
      { kind: 'view', view, values },
      { type: entry?.type ?? 'static_select', action_id: actionId, block_id: blockId, selected_option: entry?.selected_option ?? null, ...(entry?.selected_options ? { selected_options: entry.selected_options } : {}) },
      { user: opts.user, triggerId: opts.triggerId ?? '123123.123123.abcabc' },
    );
  }

  /** The modal closed with Cancel (`view_closed`, sent only for views with notify_on_close). */
  closeView(view: ViewLike, values: ViewStateValues, opts: { user: string; cleared?: boolean }): Promise<SignedResponse> {
    return this.interactive({ type: 'view_closed', ...this.from(opts.user), view: viewPayload(view, this.team, values), is_cleared: opts.cleared ?? false });
  }

  /** What the user typed into an external_select (`block_suggestion`); the answer is the options. */
  suggest(view: ViewLike, values: ViewStateValues, blockId: string, actionId: string, typed: string, opts: { user: string }): Promise<SignedResponse> {
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

  /**
   * The person opened spconn's Home tab: an Events API `event_callback` carrying `app_home_opened`,
   * posted as JSON and signed as Slack does. `view` is the Home as last published, which Slack
   * includes once one was.
   */
  appHomeOpened(user: string, opts: { view?: Record<string, unknown>; tab?: 'home' | 'messages' } = {}): Promise<SignedResponse> {
    return this.post(JSON.stringify(appHomeOpenedEnvelope(this.team, user, opts)), { contentType: 'application/json' });
  }

  /** Slack's handshake when the events request URL is saved: the app must answer the challenge. */
  urlVerification(challenge: string): Promise<SignedResponse> {
    return this.post(JSON.stringify({ token: 'legacy-verification-token', challenge, type: 'url_verification' }), { contentType: 'application/json' });
  }

  /** A click on a button of a user's Home tab, as `block_actions` with a view container. */
  clickHomeButton(home: { id: string; blocks: unknown[] }, actionId: string, opts: { user: string; triggerId?: string }): Promise<SignedResponse> {
    const button = findButton(home.blocks, actionId);
    if (!button) throw new Error(`no button ${actionId} on the Home tab ${home.id}`);
    return this.act({ kind: 'view', view: { ...home, type: 'home' }, values: {} }, button, opts);
  }

  /** A click on a button of a channel message, as `block_actions` with a message container. */
  clickButton(message: { channel: string; ts: string; blocks: unknown[]; text?: string }, actionId: string, opts: { user: string; triggerId?: string }): Promise<SignedResponse> {
    const button = findButton(message.blocks, actionId);
    if (!button) throw new Error(`no button ${actionId} on message ${message.ts}`);
    return this.act({ kind: 'message', ...message }, button, opts);
  }

  /**
   * Any `block_actions`: a button or menu acted on in a message or a modal. A message's payload
   * carries the message and channel (not for an ephemeral one); a modal's carries the view and its state.
   */
  act(source: ActionSource, element: ActedElement, opts: { user: string; triggerId?: string }): Promise<SignedResponse> {
    return this.interactive(blockActionsPayload(this.team, source, element, opts));
  }
}

/** The fields every interactive payload carries about who acted, where. */
export function actor(team: string, user: string) {
  return {
    team: { id: team, domain: 'spconn-test' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    api_app_id: 'A0SPCONN1',
    token: 'legacy-verification-token',
  };
}

/** A `view_submission` payload, as Slack sends it when the modal's submit is pressed. */
export function viewSubmissionPayload(team: string, view: ViewLike, values: ViewStateValues, opts: { user: string; triggerId?: string }) {
  return {
    type: 'view_submission',
    ...actor(team, opts.user),
    trigger_id: opts.triggerId ?? '768915595217.771150964790.bbc12e4f1483ce782cd891edf9dca94c',
    view: { ...viewPayload(view, team, values), title: view.title ?? { type: 'plain_text', text: 'spconn' }, clear_on_close: false, notify_on_close: false },
  };
}

/**
 * A `block_actions` payload: a button or menu acted on in a message or a modal. A message's payload
 * carries the message and channel (not for an ephemeral one); a modal's carries the view and its state.
 */
export function blockActionsPayload(team: string, source: ActionSource, element: ActedElement, opts: { user: string; triggerId?: string }) {
  const action = { ...element, action_ts: `${Date.now() / 1000}` };
  const where =
    source.kind === 'view'
      ? { container: { type: 'view', view_id: source.view.id }, view: viewPayload(source.view, team, source.values), ...(source.view.type === 'home' ? { state: { values: {} } } : {}) }
      : {
          container: { type: 'message', message_ts: source.ts, channel_id: source.channel, is_ephemeral: source.ephemeral ?? false, ...(source.threadTs ? { thread_ts: source.threadTs } : {}) },
          channel: { id: source.channel, name: 'platform' },
          ...(source.ephemeral ? {} : { message: { type: 'message', bot_id: 'B0SPCONN1', text: source.text ?? '', ts: source.ts, blocks: source.blocks, ...(source.threadTs ? { thread_ts: source.threadTs } : {}) } }),
          state: { values: {} },
          response_url: 'https://hooks.slack.com/actions/T0SPCONN1/1/xxx',
        };
  return { type: 'block_actions', ...actor(team, opts.user), ...where, trigger_id: opts.triggerId ?? PLACEHOLDER_TRIGGER, actions: [action] };
}

let eventCounter = 0;

/** The Events API envelope of `app_home_opened`, field for field as Slack sends it (docs.slack.dev, "app_home_opened"). */
export function appHomeOpenedEnvelope(team: string, user: string, opts: { view?: Record<string, unknown>; tab?: 'home' | 'messages' } = {}) {
  eventCounter += 1;
  const now = Date.now();
  return {
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: 'A0SPCONN1',
    event: {
      type: 'app_home_opened',
      user,
      channel: `D${user.slice(1)}`,
      tab: opts.tab ?? 'home',
      event_ts: `${Math.floor(now / 1000)}.${String(now % 1000).padStart(3, '0')}100`,
      ...(opts.view ? { view: opts.view } : {}),
    },
    type: 'event_callback',
    event_id: `Ev0SPCONN${String(eventCounter).padStart(4, '0')}`,
    event_time: Math.floor(now / 1000),
    authorizations: [{ enterprise_id: null, team_id: team, user_id: 'U0SPCONNBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** Interactivity arrives as one form field, `payload`, holding the JSON. */
export function interactiveBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function viewPayload(view: ViewLike, team: string, values: ViewStateValues) {
  return {
    id: view.id,
    team_id: team,
    type: view.type === 'home' ? 'home' : 'modal',
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values },
    hash: view.hash ?? '1569562184.10297bc3',
    ...(view.title !== undefined ? { title: view.title } : {}),
    ...(view.submit !== undefined ? { submit: view.submit } : {}),
    ...(view.close !== undefined ? { close: view.close } : {}),
    root_view_id: typeof view.root_view_id === 'string' ? view.root_view_id : view.id,
    previous_view_id: typeof view.previous_view_id === 'string' ? view.previous_view_id : null,
    app_id: 'A0SPCONN1',
    external_id: typeof view.external_id === 'string' ? view.external_id : '',
    bot_id: 'B0SPCONN1',
  };
}

/** The button with this action id in the blocks (an actions block's, or a section's accessory), as it appears in `actions[]`. */
export function findButton(blocks: unknown[], actionId: string): ActedElement | undefined {
  type Element = Record<string, unknown>;
  for (const block of blocks as Array<{ type?: string; block_id?: string; elements?: Element[]; accessory?: Element }>) {
    const candidates = block.type === 'actions' ? (block.elements ?? []) : block.type === 'section' && block.accessory ? [block.accessory] : [];
    const el = candidates.find((e) => e.type === 'button' && e.action_id === actionId);
    if (el) {
      return {
        type: 'button',
        action_id: actionId,
        block_id: block.block_id ?? '',
        text: el.text,
        ...(typeof el.value === 'string' ? { value: el.value } : {}),
        ...(typeof el.style === 'string' ? { style: el.style } : {}),
      };
    }
  }
  return undefined;
}
