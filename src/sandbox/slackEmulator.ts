// Slack Web API emulator: what @slack/web-api sends (form bodies with JSON-encoded view/blocks,
// bearer token), the methods spconn uses, trigger_id expiry and single use, Block Kit limits,
// threads, rate limits and injectable faults. Records every call for assertions.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorServer, sendJson } from './emulatorServer.js';
import { validateMessage, validateView } from './slack/blockKit.js';

export interface SlackEmulatorOptions {
  botToken: string;
  botUserId?: string;
  teamId?: string;
  /** How long an issued trigger_id can open a view (Slack: 3 s). */
  triggerTtlMs?: number;
  /** Calls per minute allowed per method before 429 `ratelimited`. */
  rateLimits?: Record<string, number>;
  /** When set, posting anywhere else answers `channel_not_found`. */
  knownChannels?: string[];
}

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** The raw request body, so tests can look for leaked secrets. */
  raw: string;
  at: number;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  user: string;
  updates: number;
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
}

export interface SlackView {
  id: string;
  hash: string;
  view: Record<string, unknown> & { id: string; hash: string };
  triggerId?: string;
}

interface Fault {
  method: string;
  error?: string;
  status?: number;
  retryAfterSeconds?: number;
  times: number;
  delayMs?: number;
}

export class SlackEmulator {
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: SlackEphemeral[] = [];
  readonly views = new Map<string, SlackView>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly faults: Fault[] = [];
  private readonly windows = new Map<string, number[]>();
  private tsCounter = 0;
  private readonly botUserId: string;
  private readonly teamId: string;

  private constructor(
    private readonly server: EmulatorServer,
    private readonly options: SlackEmulatorOptions,
  ) {
    this.botUserId = options.botUserId ?? 'U0SPCONNBOT';
    this.teamId = options.teamId ?? 'T0SPCONN1';
  }

  static async start(options: SlackEmulatorOptions): Promise<SlackEmulator> {
    // The server needs the handler before the emulator that owns it exists.
    const ref: { emulator?: SlackEmulator } = {};
    const server = await EmulatorServer.start('Slack', (req, body, res) => ref.emulator!.handle(req, body, res));
    ref.emulator = new SlackEmulator(server, options);
    return ref.emulator;
  }

  /** The Web API base to give the app (`SLACK_API_URL`). */
  get url(): string {
    return `http://127.0.0.1:${this.server.port}/api/`;
  }

  /** A trigger_id as Slack puts in a slash command or interaction: valid briefly, once. */
  issueTriggerId(): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  setUsergroup(id: string, users: string[]): void {
    this.usergroups.set(id, users);
  }

  injectFault(method: string, fault: { error?: string; status?: number; retryAfterSeconds?: number; times?: number; delayMs?: number }): void {
    this.faults.push({ method, ...fault, times: fault.times ?? 1 });
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Replies in a thread, oldest first. */
  thread(channel: string, ts: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void> {
    return this.server.waitFor(predicate, timeoutMs, 'Slack condition');
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').split('?')[0]!.replace(/^\/api\//, '');
    const args = parseArgs(String(req.headers['content-type'] ?? ''), raw);
    const record = (ok: boolean, error?: string) => this.calls.push({ method, args, ok, error, raw, at: Date.now() });
    const fail = (error: string, messages?: string[]) => {
      record(false, error);
      sendJson(res, 200, { ok: false, error, ...(messages?.length ? { response_metadata: { messages } } : {}) });
    };

    const fault = this.faults.find((f) => f.method === method && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.delayMs) await this.server.delay(fault.delayMs);
      if (fault.status === 429 || fault.error === 'ratelimited') {
        record(false, 'ratelimited');
        return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
      }
      if (fault.status && fault.status >= 500) {
        record(false, `http_${fault.status}`);
        res.writeHead(fault.status).end();
        return;
      }
      if (fault.error) return fail(fault.error);
    }

    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : '';
    if (!token) return fail('not_authed');
    if (token !== this.options.botToken) return fail('invalid_auth');

    const limit = this.options.rateLimits?.[method];
    if (limit !== undefined) {
      const now = Date.now();
      const window = (this.windows.get(method) ?? []).filter((t) => now - t < 60_000);
      if (window.length >= limit) {
        record(false, 'ratelimited');
        return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      }
      window.push(now);
      this.windows.set(method, window);
    }

    const ok = (body: Record<string, unknown> = {}) => {
      record(true);
      sendJson(res, 200, { ok: true, ...body });
    };
    const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
    const channelKnown = (channel: string | undefined) => !this.options.knownChannels || (channel !== undefined && this.options.knownChannels.includes(channel));

    switch (method) {
      case 'auth.test':
        return ok({ url: 'https://spconn-sandbox.slack.com/', team: 'spconn sandbox', user: 'spconn', team_id: this.teamId, user_id: this.botUserId, bot_id: 'B0SPCONNBOT' });
      case 'views.open':
      case 'views.push': {
        const triggerId = str('trigger_id');
        const trigger = triggerId ? this.triggers.get(triggerId) : undefined;
        if (!trigger) return fail('invalid_arguments', ['[ERROR] invalid `trigger_id` [json-pointer:/trigger_id]']);
        if (trigger.used) return fail('exchanged_trigger_id');
        if (Date.now() - trigger.issuedAt > (this.options.triggerTtlMs ?? 3_000)) return fail('expired_trigger_id');
        const problems = validateView(args.view);
        if (problems.length) return fail('invalid_arguments', problems);
        trigger.used = true;
        return ok({ view: this.storeView(args.view as Record<string, unknown>, triggerId) });
      }
      case 'views.update': {
        const existing = str('view_id') ? this.views.get(str('view_id')!) : [...this.views.values()].find((v) => v.view.external_id === str('external_id'));
        if (!existing) return fail('not_found');
        if (str('hash') && str('hash') !== existing.hash) return fail('hash_conflict');
        const problems = validateView(args.view);
        if (problems.length) return fail('invalid_arguments', problems);
        return ok({ view: this.storeView(args.view as Record<string, unknown>, existing.triggerId, existing.id) });
      }
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel || !channelKnown(channel)) return fail('channel_not_found');
        const problem = validateMessage(args.text, args.blocks, method);
        if (problem) return fail(problem.error, problem.messages);
        const message: SlackMessage = {
          channel,
          ts: this.nextTs(),
          threadTs: str('thread_ts'),
          text: str('text') ?? '',
          blocks: Array.isArray(args.blocks) ? args.blocks : [],
          user: this.botUserId,
          updates: 0,
        };
        this.messages.push(message);
        return ok({ channel, ts: message.ts, message: { type: 'message', text: message.text, ts: message.ts, user: message.user, blocks: message.blocks } });
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === str('channel') && m.ts === str('ts'));
        if (!message) return fail('message_not_found');
        const problem = validateMessage(args.text, args.blocks, method);
        if (problem) return fail(problem.error, problem.messages);
        message.text = str('text') ?? message.text;
        if (Array.isArray(args.blocks)) message.blocks = args.blocks;
        message.updates += 1;
        return ok({ channel: message.channel, ts: message.ts, text: message.text });
      }
      case 'chat.postEphemeral': {
        const channel = str('channel');
        const user = str('user');
        if (!channel || !channelKnown(channel)) return fail('channel_not_found');
        if (!user) return fail('user_not_found');
        const problem = validateMessage(args.text, args.blocks, method);
        if (problem) return fail(problem.error, problem.messages);
        this.ephemerals.push({ channel, user, text: str('text') ?? '', blocks: Array.isArray(args.blocks) ? args.blocks : [] });
        return ok({ message_ts: this.nextTs() });
      }
      case 'chat.getPermalink': {
        const message = this.messages.find((m) => m.channel === str('channel') && m.ts === str('message_ts'));
        if (!message) return fail('message_not_found');
        return ok({ channel: message.channel, permalink: `https://spconn-sandbox.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}` });
      }
      case 'usergroups.users.list': {
        const users = this.usergroups.get(str('usergroup') ?? '');
        return users ? ok({ users }) : fail('no_such_subteam');
      }
      case 'users.info': {
        const user = str('user');
        return user ? ok({ user: { id: user, team_id: this.teamId, name: user.toLowerCase(), real_name: user, is_bot: false } }) : fail('user_not_found');
      }
      default:
        return fail('unknown_method');
    }
  }

  private storeView(view: Record<string, unknown>, triggerId: string | undefined, id = `V${randomBytes(5).toString('hex').toUpperCase()}`): Record<string, unknown> {
    const hash = `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
    const stored = { ...view, id, hash, team_id: this.teamId, state: { values: {} }, root_view_id: id, app_id: 'A0SPCONN1', bot_id: 'B0SPCONNBOT' };
    this.views.set(id, { id, hash, view: stored, triggerId });
    return stored;
  }
}

/** Form bodies carry `view` and `blocks` as JSON strings; JSON bodies carry them as values. */
function parseArgs(contentType: string, raw: string): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null) args = parsed as Record<string, unknown>;
    } catch {
      return {};
    }
  } else {
    args = Object.fromEntries(new URLSearchParams(raw));
  }
  for (const key of ['view', 'blocks', 'attachments']) {
    if (typeof args[key] === 'string') {
      try {
        args[key] = JSON.parse(args[key] as string);
      } catch {
        // Left as a string: validation reports it.
      }
    }
  }
  return args;
}
