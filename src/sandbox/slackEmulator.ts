// Slack Web API emulator: answers exactly what @slack/web-api sends (form bodies with JSON-encoded
// view/blocks, bearer token) for the methods spconn uses, with trigger_id expiry and single use,
// Block Kit limits, threads, rate limits and injectable faults; records every call for assertions.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { EmulatorServer, sendJson } from './emulatorServer.js';
import { SocketModeHub } from './slack/socketMode.js';
import { validateHomeView, validateMessage, validateView, type MessageMethod } from './slack/blockKit.js';
import { argsSchemas, argumentProblems, isSlackMethod, parseWebApiRequest, type SlackMethod } from './slack/request.js';

export type { SlackMethod } from './slack/request.js';

export interface SlackEmulatorOptions {
  botToken: string;
  /** The app-level token (`xapp-…`) that may open Socket Mode connections. */
  appToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** The workspace's subdomain, used in permalinks. */
  teamDomain?: string;
  /** How long an issued trigger_id can open a view (Slack: 3 s). */
  triggerTtlMs?: number;
  /** Calls per minute allowed per method; the next one gets HTTP 429 `ratelimited`. */
  rateLimits?: Partial<Record<SlackMethod, number>>;
  /** When set, posting to any other channel answers `channel_not_found` (DMs to users always work). */
  knownChannels?: readonly string[];
  /** The clock for trigger expiry, rate-limit windows and message timestamps; tests may drive it. */
  now?: () => number;
}

export interface SlackCall {
  method: string;
  /** Arguments as decoded, with `view` and `blocks` parsed from their JSON strings. */
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** HTTP status answered: 200, or 429 for a rate limit, or an injected one. */
  status: number;
  /** The raw request body, so tests can look for leaked secrets. */
  raw: string;
  at: number;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  replyBroadcast: boolean;
  text: string;
  blocks: unknown[];
  /** The bot user that posted it. */
  user: string;
  /** How many times chat.update changed it. */
  updates: number;
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
}

export interface SlackView {
  id: string;
  hash: string;
  /** The view as Slack would return it: what the app sent plus id, hash, state, … */
  view: Record<string, unknown>;
  /** The trigger_id that opened (or pushed) it; undefined for none. */
  triggerId?: string;
  updates: number;
}

export interface SlackFault {
  /** Answer `{ok: false, error}` (HTTP 200 unless `status` says otherwise). */
  error?: string;
  /** 429 answers `ratelimited` with Retry-After; another non-200 status answers that status. */
  status?: number;
  retryAfterSeconds?: number;
  /** How many calls it affects (default 1; Infinity for all). */
  times?: number;
  /** Answer this much later; with neither error nor status, the call then succeeds normally. */
  delayMs?: number;
  /** Hold the call until this settles (a test's gate; cut short when the emulator stops). */
  until?: Promise<unknown>;
  /** Only calls whose decoded arguments this accepts (e.g. one user's `views.publish`). */
  when?: (args: Record<string, unknown>) => boolean;
}

interface ArmedFault extends SlackFault {
  method: string;
  remaining: number;
}

type Outcome = { ok: true; body: Record<string, unknown> } | { ok: false; error: string; messages?: string[] };

const success = (body: Record<string, unknown> = {}): Outcome => ({ ok: true, body });
const failure = (error: string, messages?: string[]): Outcome => ({ ok: false, error, ...(messages?.length ? { messages } : {}) });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Slack refuses a view whose JSON is larger than this with `view_too_large` (shared/slack/README.md). */
const VIEW_MAX_BYTES = 250_000;

/** Slack tells a bad trigger_id this way (real answer, not the docs example). */
export const INVALID_TRIGGER_MESSAGE = '[ERROR] invalid `trigger_id` [json-pointer:/trigger_id]';

export class SlackEmulator {
  /** The Web API base, with its trailing slash: `slackApiUrl` / `SLACK_API_URL`. */
  readonly url: string;
  readonly calls: SlackCall[] = [];
  /** Channel messages and thread replies, in posting order, kept current by chat.update. */
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: SlackEphemeral[] = [];
  /** Views that were opened or pushed, by view id, with their current content and hash. */
  readonly views = new Map<string, SlackView>();
  /** Socket Mode: connections opened with the app token, and the envelopes sent over them. */
  readonly socketMode: SocketModeHub;
  /** Each user's Home tab as last published (`views.publish`), by user id. */
  readonly homes = new Map<string, SlackView>();

  private readonly triggers = new Map<string, { issuedAt: number; used: boolean; fromViewId?: string }>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly faults: ArmedFault[] = [];
  private readonly windows = new Map<string, number[]>();
  private handling = 0;
  /** Methods of the calls a test's gate holds now. */
  readonly holding: string[] = [];
  private lastTsMicros = 0;
  private hashCounter = 0;
  private readonly now: () => number;
  private readonly botUserId: string;
  private readonly botId: string;
  private readonly teamId: string;
  private readonly teamDomain: string;

  private constructor(
    private readonly server: EmulatorServer,
    private readonly options: SlackEmulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${server.port}/api/`;
    this.now = options.now ?? Date.now;
    this.botUserId = options.botUserId ?? 'U0SPCONNBOT';
    this.botId = options.botId ?? 'B0SPCONNBOT';
    this.teamId = options.teamId ?? 'T0SPCONN1';
    this.teamDomain = options.teamDomain ?? 'spconn-sandbox';
    this.socketMode = new SocketModeHub({ port: server.port, appId: 'A0SPCONN01', onChange: () => server.changed() });
    server.onUpgrade((req, socket, head) => this.socketMode.handleUpgrade(req, socket, head));
  }

  static async start(options: SlackEmulatorOptions): Promise<SlackEmulator> {
    // The server needs its handler before the emulator that owns it exists.
    const ref: { emulator?: SlackEmulator } = {};
    const server = await EmulatorServer.start('Slack', (req, body, res) => {
      if (!ref.emulator) throw new Error('the Slack emulator is still starting');
      return ref.emulator.handle(req, body, res);
    });
    const emulator = new SlackEmulator(server, options);
    ref.emulator = emulator;
    return emulator;
  }

  /**
   * Forgets every trigger_id issued so far (they then answer `invalid_arguments`): a bench that
   * issues tens of thousands ahead would otherwise keep them all.
   */
  forgetTriggers(): void {
    this.triggers.clear();
  }

  /** A trigger_id as Slack puts in a slash command or interaction: it opens one view, briefly. */
  issueTriggerId(opts: { fromViewId?: string } = {}): string {
    const id = `${Math.floor(this.now() / 1000)}${randomDigits(4)}.${randomDigits(12)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { issuedAt: this.now(), used: false, ...(opts.fromViewId ? { fromViewId: opts.fromViewId } : {}) });
    return id;
  }

  setUsergroup(id: string, userIds: string[]): void {
    this.usergroups.set(id, [...userIds]);
  }

  /** Makes the next `times` calls of `method` ('*' for any) fail or slow down. */
  injectFault(method: SlackMethod | '*' | (string & {}), fault: SlackFault): void {
    this.faults.push({ ...fault, method, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Replies in a thread, oldest first (the parent message itself is not included). */
  thread(channel: string, ts: string): SlackMessage[] {
    const ch = this.dmChannel(channel);
    return this.messages.filter((m) => m.channel === ch && m.threadTs === ts && m.ts !== ts);
  }

  /** Resolves once `predicate` holds, re-checked after every request the emulator answers. */
  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    let lastError: unknown;
    const check = () => {
      try {
        return predicate();
      } catch (err) {
        // A predicate that throws (e.g. reading a message not posted yet) just does not hold yet.
        lastError = err;
        return false;
      }
    };
    try {
      await this.server.waitFor(check, timeoutMs, 'Slack emulator condition');
    } catch {
      const recent = this.calls.slice(-8).map((c) => `${c.method} ${c.ok ? 'ok' : `→ ${c.error ?? c.status}`}`);
      const cause = lastError instanceof Error ? ` The predicate last threw: ${lastError.message}.` : '';
      throw new Error(
        `waitFor: the condition did not hold within ${timeoutMs} ms after ${this.calls.length} Slack calls ` +
          `(last: ${recent.length ? recent.join(', ') : 'none'}).${cause}`,
      );
    }
  }

  /** Calls `listener` after every request the emulator answers and every view it changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    return this.server.onChange(listener);
  }

  /**
   * What Slack does with a `view_submission` answered `response_action: "update"` (replace the
   * view, same id, new hash) or `"push"` (stack a new view on it): the view is checked like one
   * sent to views.update / views.push.
   */
  respondToSubmission(viewId: string, action: 'update' | 'push', view: unknown): { ok: true; view: SlackView } | { ok: false; error: string; problems: string[] } {
    const existing = this.views.get(viewId);
    if (!existing) return { ok: false, error: 'not_found', problems: [] };
    const problems = validateView(view);
    if (problems.length > 0 || !isRecord(view)) return { ok: false, error: 'invalid_arguments', problems };
    if (action === 'push' && this.stackDepth(existing) >= 3) return { ok: false, error: 'push_limit_reached', problems: [] };
    const rootViewId = String(existing.view.root_view_id ?? existing.id);
    const stored =
      action === 'update'
        ? this.storeView(existing.id, view, {
            triggerId: existing.triggerId,
            rootViewId,
            previousViewId: typeof existing.view.previous_view_id === 'string' ? existing.view.previous_view_id : null,
            updates: existing.updates + 1,
          })
        : this.storeView(`V${randomBytes(5).toString('hex').toUpperCase()}`, view, { triggerId: undefined, rootViewId, previousViewId: existing.id, updates: 0 });
    this.server.changed();
    return { ok: true, view: stored };
  }

  /** The blocks of `userId`'s Home tab as last published; undefined when none was. */
  home(userId: string): unknown[] | undefined {
    const blocks = this.homes.get(userId)?.view.blocks;
    return Array.isArray(blocks) ? blocks : undefined;
  }

  /** Requests received and not yet answered (e.g. held by an injected delay). */
  get inFlight(): number {
    return this.handling;
  }

  /** Closes every connection and cancels pending delays. */
  async stop(): Promise<void> {
    this.faults.length = 0;
    this.socketMode.close();
    await this.server.stop();
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    this.handling += 1;
    try {
      await this.answerRequest(req, raw, res);
    } finally {
      this.handling -= 1;
    }
  }

  private async answerRequest(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const { method, args, token } = parseWebApiRequest(req.url ?? '/', { authorization: req.headers.authorization, 'content-type': req.headers['content-type'] }, raw);
    const answer = (status: number, outcome: Outcome, headers: Record<string, string> = {}) => {
      this.calls.push({ method, args, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error }), status, raw, at: this.now() });
      const body = outcome.ok
        ? { ok: true, ...outcome.body }
        : { ok: false, error: outcome.error, ...(outcome.messages ? { response_metadata: { messages: outcome.messages } } : {}) };
      sendJson(res, status, body, headers);
    };

    const fault = this.faults.find((f) => (f.method === method || f.method === '*') && f.remaining > 0 && (!f.when || f.when(args)));
    if (fault) {
      fault.remaining -= 1;
      if (fault.delayMs) await this.server.delay(fault.delayMs);
      if (fault.until) {
        this.holding.push(method);
        this.server.changed();
        await this.server.held(fault.until);
        this.holding.splice(this.holding.indexOf(method), 1);
      }
      if (fault.status === 429) return answer(429, failure('ratelimited'), { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
      if (fault.status !== undefined && fault.status !== 200) return answer(fault.status, failure(fault.error ?? 'internal_error'));
      if (fault.error) return answer(200, failure(fault.error));
    }

    if (method === 'apps.connections.open') {
      // Only the app-level token opens connections; Slack refuses a bot token by its type.
      if (!token) return answer(200, failure('not_authed'));
      if (token === this.options.botToken) return answer(200, failure('not_allowed_token_type'));
      if (token !== this.options.appToken) return answer(200, failure('invalid_auth'));
      return answer(200, success(this.socketMode.open()));
    }
    if (!isSlackMethod(method)) return answer(200, failure('unknown_method'));
    if (!token) return answer(200, failure('not_authed'));
    if (token !== this.options.botToken) return answer(200, failure('invalid_auth'));

    const retryAfter = this.rateLimited(method);
    if (retryAfter !== undefined) return answer(429, failure('ratelimited'), { 'retry-after': String(retryAfter) });

    return answer(200, this.dispatch(method, args));
  }

  /** Seconds to wait when `method` is over its per-minute limit; counts the call otherwise. */
  private rateLimited(method: SlackMethod): number | undefined {
    const limit = this.options.rateLimits?.[method];
    if (limit === undefined) return undefined;
    const now = this.now();
    const window = (this.windows.get(method) ?? []).filter((t) => now - t < 60_000);
    this.windows.set(method, window);
    const oldest = window[0];
    if (window.length >= limit && oldest !== undefined) return Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
    window.push(now);
    return undefined;
  }

  private dispatch(method: SlackMethod, args: Record<string, unknown>): Outcome {
    switch (method) {
      case 'auth.test':
        return success({
          url: `https://${this.teamDomain}.slack.com/`,
          team: this.teamDomain,
          user: 'spconn',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        });
      case 'views.open':
      case 'views.push':
        return withArgs(argsSchemas.viewsOpen, args, (a) => this.openView(method, a));
      case 'views.update':
        return withArgs(argsSchemas.viewsUpdate, args, (a) => this.updateView(a));
      case 'views.publish':
        return withArgs(argsSchemas.viewsPublish, args, (a) => this.publishHome(a));
      case 'chat.postMessage':
        return withArgs(argsSchemas.postMessage, args, (a) => this.postMessage(a));
      case 'chat.update':
        return withArgs(argsSchemas.update, args, (a) => this.updateMessage(a));
      case 'chat.postEphemeral':
        return withArgs(argsSchemas.postEphemeral, args, (a) => this.postEphemeral(a));
      case 'chat.getPermalink':
        return withArgs(argsSchemas.getPermalink, args, (a) => this.permalink(a));
      case 'usergroups.users.list':
        return withArgs(argsSchemas.usergroupUsers, args, (a) => {
          const users = this.usergroups.get(a.usergroup ?? '');
          return users ? success({ users: [...users] }) : failure('no_such_subteam');
        });
      case 'users.info':
        return withArgs(argsSchemas.usersInfo, args, (a) => {
          if (!a.user || !/^[UW][A-Z0-9]+$/.test(a.user)) return failure('user_not_found');
          const name = a.user.toLowerCase();
          return success({
            user: { id: a.user, team_id: this.teamId, name, real_name: a.user, deleted: false, is_bot: false, tz: 'Europe/London', profile: { display_name: name, real_name: a.user } },
          });
        });
    }
  }

  // ---- views ----

  private openView(method: 'views.open' | 'views.push', a: z.infer<typeof argsSchemas.viewsOpen>): Outcome {
    const trigger = a.trigger_id ? this.triggers.get(a.trigger_id) : undefined;
    if (!a.trigger_id || !trigger) return failure('invalid_arguments', [INVALID_TRIGGER_MESSAGE]);
    if (trigger.used) return failure('exchanged_trigger_id');
    if (this.now() - trigger.issuedAt >= (this.options.triggerTtlMs ?? 3000)) return failure('expired_trigger_id');
    const problems = validateView(a.view);
    if (problems.length > 0 || !isRecord(a.view)) return failure('invalid_arguments', problems);
    const externalId = a.view.external_id;
    if (typeof externalId === 'string' && externalId && this.findByExternalId(externalId)) return failure('duplicate_external_id');

    let previous: SlackView | undefined;
    if (method === 'views.push' && trigger.fromViewId) {
      previous = this.views.get(trigger.fromViewId);
      // Slack keeps at most three views in a modal's stack.
      if (previous && this.stackDepth(previous) >= 3) return failure('push_limit_reached');
    }
    trigger.used = true;
    const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
    const rootViewId = previous ? String(previous.view.root_view_id ?? previous.id) : id;
    const stored = this.storeView(id, a.view, { triggerId: a.trigger_id, rootViewId, previousViewId: previous?.id ?? null, updates: 0 });
    return success({ view: stored.view });
  }

  private updateView(a: z.infer<typeof argsSchemas.viewsUpdate>): Outcome {
    if (!a.view_id && !a.external_id) return failure('invalid_arguments', ['[ERROR] must provide view_id or external_id [json-pointer:/view_id]']);
    const existing = a.view_id ? this.views.get(a.view_id) : this.findByExternalId(a.external_id ?? '');
    if (!existing) return failure('not_found');
    if (a.hash !== undefined && a.hash !== existing.hash) return failure('hash_conflict');
    const problems = validateView(a.view);
    if (problems.length > 0 || !isRecord(a.view)) return failure('invalid_arguments', problems);
    const stored = this.storeView(existing.id, a.view, {
      triggerId: existing.triggerId,
      rootViewId: String(existing.view.root_view_id ?? existing.id),
      previousViewId: typeof existing.view.previous_view_id === 'string' ? existing.view.previous_view_id : null,
      updates: existing.updates + 1,
    });
    return success({ view: stored.view });
  }

  /** A user's Home tab: one view per user, replaced by each publish (same id, new hash). */
  private publishHome(a: z.infer<typeof argsSchemas.viewsPublish>): Outcome {
    if (!a.user_id) return failure('invalid_arguments', ['[ERROR] missing required field: user_id [json-pointer:/user_id]']);
    if (!/^[UW][A-Z0-9]+$/.test(a.user_id)) return failure('user_not_found');
    const problems = validateHomeView(a.view);
    if (problems.length > 0 || !isRecord(a.view)) return failure('invalid_arguments', problems);
    if (JSON.stringify(a.view).length > VIEW_MAX_BYTES) return failure('view_too_large');
    const existing = this.homes.get(a.user_id);
    if (a.hash !== undefined && existing && a.hash !== existing.hash) return failure('hash_conflict');
    const id = existing?.id ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
    this.hashCounter += 1;
    const hash = `${Math.floor(this.now() / 1000)}.${this.hashCounter.toString(36)}${randomBytes(3).toString('hex')}`;
    const full: Record<string, unknown> = {
      id,
      team_id: this.teamId,
      type: 'home',
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...a.view,
      state: { values: {} },
      hash,
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: 'A0SPCONN1',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
    const stored: SlackView = { id, hash, view: full, updates: existing ? existing.updates + 1 : 0 };
    this.homes.set(a.user_id, stored);
    return success({ view: full });
  }

  private storeView(
    id: string,
    view: Record<string, unknown>,
    meta: { triggerId: string | undefined; rootViewId: string; previousViewId: string | null; updates: number },
  ): SlackView {
    // Seconds plus a counter and randomness: every update gets a new hash, so a stale one conflicts.
    this.hashCounter += 1;
    const hash = `${Math.floor(this.now() / 1000)}.${this.hashCounter.toString(36)}${randomBytes(3).toString('hex')}`;
    const full: Record<string, unknown> = {
      id,
      team_id: this.teamId,
      type: 'modal',
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      ...view,
      state: { values: {} },
      hash,
      root_view_id: meta.rootViewId,
      previous_view_id: meta.previousViewId,
      app_id: 'A0SPCONN1',
      bot_id: this.botId,
    };
    const stored: SlackView = { id, hash, view: full, ...(meta.triggerId ? { triggerId: meta.triggerId } : {}), updates: meta.updates };
    this.views.set(id, stored);
    return stored;
  }

  private findByExternalId(externalId: string): SlackView | undefined {
    return [...this.views.values()].find((v) => v.view.external_id === externalId);
  }

  private stackDepth(view: SlackView): number {
    let depth = 1;
    for (let prev = view.view.previous_view_id; typeof prev === 'string'; prev = this.views.get(prev)?.view.previous_view_id) depth += 1;
    return depth;
  }

  // ---- messages ----

  private postMessage(a: z.infer<typeof argsSchemas.postMessage>): Outcome {
    if (!a.channel || !this.channelKnown(a.channel)) return failure('channel_not_found');
    const problem = this.messageProblem('chat.postMessage', a);
    if (problem) return problem;
    const channel = this.dmChannel(a.channel);
    // Slack accepts a thread_ts that names no message (the reply then starts nothing); just record it.
    const message: SlackMessage = {
      channel,
      ts: this.nextTs(),
      ...(a.thread_ts ? { threadTs: a.thread_ts } : {}),
      replyBroadcast: a.reply_broadcast ?? false,
      text: typeof a.text === 'string' ? a.text : '',
      blocks: Array.isArray(a.blocks) ? a.blocks : [],
      user: this.botUserId,
      updates: 0,
    };
    this.messages.push(message);
    return success({ channel, ts: message.ts, message: this.messageBody(message) });
  }

  private updateMessage(a: z.infer<typeof argsSchemas.update>): Outcome {
    if (!a.channel || !this.channelKnown(a.channel)) return failure('channel_not_found');
    const channel = this.dmChannel(a.channel);
    const message = this.messages.find((m) => m.channel === channel && m.ts === a.ts);
    if (!message) return failure('message_not_found');
    const problem = this.messageProblem('chat.update', a);
    if (problem) return problem;
    if (typeof a.text === 'string') message.text = a.text;
    if (Array.isArray(a.blocks)) message.blocks = a.blocks;
    message.updates += 1;
    return success({ channel, ts: message.ts, text: message.text, message: this.messageBody(message) });
  }

  private postEphemeral(a: z.infer<typeof argsSchemas.postEphemeral>): Outcome {
    if (!a.channel || !this.channelKnown(a.channel)) return failure('channel_not_found');
    if (!a.user) return failure('user_not_found');
    const problem = this.messageProblem('chat.postEphemeral', a);
    if (problem) return problem;
    const ts = this.nextTs();
    this.ephemerals.push({
      channel: this.dmChannel(a.channel),
      user: a.user,
      ts,
      ...(a.thread_ts ? { threadTs: a.thread_ts } : {}),
      text: typeof a.text === 'string' ? a.text : '',
      blocks: Array.isArray(a.blocks) ? a.blocks : [],
    });
    return success({ message_ts: ts });
  }

  private permalink(a: z.infer<typeof argsSchemas.getPermalink>): Outcome {
    if (!a.channel || !this.channelKnown(a.channel)) return failure('channel_not_found');
    const channel = this.dmChannel(a.channel);
    const message = this.messages.find((m) => m.channel === channel && m.ts === a.message_ts);
    if (!message) return failure('message_not_found');
    const base = `https://${this.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
    const permalink = message.threadTs && message.threadTs !== message.ts ? `${base}?thread_ts=${message.threadTs}&cid=${channel}` : base;
    return success({ channel, permalink });
  }

  private messageProblem(method: MessageMethod, a: { text?: unknown; blocks?: unknown; attachments?: unknown }): Outcome | undefined {
    const problem = validateMessage(a, method);
    return problem ? failure(problem.error, problem.messages) : undefined;
  }

  private messageBody(m: SlackMessage): Record<string, unknown> {
    return {
      type: 'message',
      user: m.user,
      bot_id: this.botId,
      app_id: 'A0SPCONN1',
      team: this.teamId,
      text: m.text,
      ts: m.ts,
      ...(m.blocks.length ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    };
  }

  /** A user id as channel is that user's DM with the app, as Slack answers it. */
  private dmChannel(channel: string): string {
    return /^[UW][A-Z0-9]+$/.test(channel) ? `D${channel.slice(1)}` : channel;
  }

  private channelKnown(channel: string): boolean {
    const known = this.options.knownChannels;
    return !known || /^[UWD][A-Z0-9]+$/.test(channel) || known.includes(channel);
  }

  /** Slack's ts: seconds and microseconds, unique and increasing within the emulator. */
  private nextTs(): string {
    this.lastTsMicros = Math.max(this.now() * 1000, this.lastTsMicros + 100);
    const micros = Math.floor(this.lastTsMicros);
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

function withArgs<S extends z.ZodType>(schema: S, args: Record<string, unknown>, then: (a: z.infer<S>) => Outcome): Outcome {
  const parsed = schema.safeParse(args);
  return parsed.success ? then(parsed.data) : failure('invalid_arguments', argumentProblems(parsed.error));
}

function randomDigits(n: number): string {
  return Array.from(randomBytes(n), (b) => String(b % 10)).join('');
}
