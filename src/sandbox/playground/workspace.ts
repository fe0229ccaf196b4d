// The Slack workspace the playground plays: its people, the modals each one has open, and what
// the page asks for (a command, a click, a submission), sent to the app's real request URL as
// Slack sends it, signed with the driver. Slack's own side of each answer (ephemeral command
// replies, `response_action`s) is carried out here; everything else lives in the Slack emulator.
import { z } from 'zod';
import { SlackDriver, findButton, type ActedElement, type SignedResponse, type ViewLike } from '../slack/driver.js';
import type { SlackEmulator, SlackView } from '../slackEmulator.js';
import { blocksForPage, blocksWithIds, findElement, stateForView, typedFingerprints, type PageValues } from './viewValues.js';

export interface Person {
  id: string;
  name: string;
  role: string;
}

/** A message as the page shows it. */
export interface PageMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  author: string;
  text: string;
  blocks: unknown[];
  edited: boolean;
  /** Only the person looking sees it. */
  ephemeral: boolean;
  replies?: PageMessage[];
}

export interface PageModal {
  viewId: string;
  hash: string;
  /** How many views are stacked under this one. */
  depth: number;
  title: unknown;
  submit: unknown;
  close: unknown;
  blocks: unknown[];
  /** Inline errors by block id, from `response_action: "errors"`. */
  errors: Record<string, string>;
  /** A problem with the whole form (the app did not answer, or answered something Slack would refuse). */
  problem?: string;
}

export interface WorkspaceSnapshot {
  me: string;
  people: Person[];
  channel: { id: string; name: string };
  messages: PageMessage[];
  directMessages: PageMessage[];
  modal: PageModal | null;
  /** The person's spconn Home tab as last published (views.publish); null before the app published one. */
  home: { blocks: unknown[] } | null;
}

/** Where a clicked button is: a channel message (or a reply, or an ephemeral message). */
export interface MessageRef {
  channel: string;
  ts: string;
  ephemeral: boolean;
}

interface StoredEphemeral {
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  author: string;
  text: string;
  blocks: unknown[];
}

const plainTextSchema = z.looseObject({ type: z.literal('plain_text'), text: z.string() });
const suggestionAnswerSchema = z.union([
  z.object({ options: z.array(z.looseObject({ text: plainTextSchema, value: z.string() })) }),
  z.object({ option_groups: z.array(z.object({ label: plainTextSchema, options: z.array(z.looseObject({ text: plainTextSchema, value: z.string() })) })) }),
]);
const submissionAnswerSchema = z.discriminatedUnion('response_action', [
  z.object({ response_action: z.literal('errors'), errors: z.record(z.string(), z.string()) }),
  z.object({ response_action: z.literal('update'), view: z.unknown() }),
  z.object({ response_action: z.literal('push'), view: z.unknown() }),
  z.object({ response_action: z.literal('clear') }),
]);
const commandAnswerSchema = z.looseObject({ response_type: z.enum(['ephemeral', 'in_channel']).optional(), text: z.string().optional(), blocks: z.array(z.unknown()).optional() });

export type Suggestion = { text: { type: 'plain_text'; text: string }; value: string };

/** A refusal the page shows as it is (the person did something Slack would not let them do). */
export class PlaygroundError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class Workspace {
  /** trigger_id → who it was issued to, until the view it opened is claimed. */
  private readonly triggers = new Map<string, string>();
  /** Each person's modal stack, bottom first. */
  private readonly stacks = new Map<string, string[]>();
  private readonly errors = new Map<string, { fields: Record<string, string>; problem?: string }>();
  /** Fingerprints of what each person typed into modals, so no view echoes it back to the page. */
  private readonly typed = new Map<string, Set<string>>();
  private readonly ephemerals: StoredEphemeral[] = [];
  private readonly listeners = new Set<() => void>();
  private lastTsMicros = 0;

  constructor(
    private readonly slack: SlackEmulator,
    private readonly driver: SlackDriver,
    readonly people: Person[],
    readonly channel: { id: string; name: string },
  ) {}

  isPerson(id: string): boolean {
    return this.people.some((p) => p.id === id);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  // ---- what the page asks for ----

  /** Whatever is typed in the message box: `/spconn …` goes to the app as a slash command. */
  async command(user: string, input: string): Promise<void> {
    const match = /^\/spconn(?:\s+([\s\S]*))?$/.exec(input.trim());
    if (!match) {
      this.addEphemeral(user, 'Slackbot', input.trim().startsWith('/') ? `${input.trim().split(/\s/)[0]} is not a valid command here. Try \`/spconn help\`.` : 'Only `/spconn` commands reach the app in the playground. Try `/spconn create https`.');
      return;
    }
    const res = await this.driver.command((match[1] ?? '').trim(), { user, channel: this.channel.id, triggerId: this.issueTrigger(user) });
    if (res.status !== 200) {
      this.addEphemeral(user, 'Slackbot', `/spconn failed with the error "${res.status === 404 ? 'operation_timeout' : 'dispatch_failed'}" (HTTP ${res.status}).`);
      return;
    }
    const answer = commandAnswerSchema.safeParse(parseBody(res));
    if (answer.success && (answer.data.text || answer.data.blocks)) {
      // Slack shows a command's answer itself; it is not a Web API call the emulator sees.
      this.addEphemeral(user, 'spconn', answer.data.text ?? '', answer.data.blocks ?? []);
    } else if (!answer.success && res.text.trim()) {
      this.addEphemeral(user, 'spconn', res.text.trim().slice(0, 4000));
    }
  }

  /** A button in a message: the message and the button come from what Slack holds, never from the page. */
  async clickInMessage(user: string, ref: MessageRef, blockId: string, actionId: string): Promise<void> {
    const message = this.findMessage(user, ref);
    if (!message) throw new PlaygroundError('That message is gone.');
    const button = findButtonIn(message.blocks, blockId, actionId);
    if (!button) throw new PlaygroundError('That button is not on the message any more.');
    const res = await this.driver.act(
      { kind: 'message', channel: message.channel, ts: message.ts, ...(message.threadTs ? { threadTs: message.threadTs } : {}), blocks: message.blocks, text: message.text, ephemeral: ref.ephemeral },
      button,
      { user, triggerId: this.issueTrigger(user) },
    );
    if (res.status !== 200) this.addEphemeral(user, 'Slackbot', `spconn did not handle that click (HTTP ${res.status}).`, [], message.threadTs);
  }

  /** The person opens spconn's Home tab: Slack sends the app `app_home_opened` (with the Home as last published). */
  async openHome(user: string): Promise<void> {
    const home = this.slack.homes.get(user);
    const res = await this.driver.appHomeOpened(user, home ? { view: home.view } : {});
    if (res.status !== 200) throw new PlaygroundError(`spconn did not take app_home_opened (HTTP ${res.status}).`);
  }

  /** A button on the person's Home tab: the view and the button come from what Slack holds, never from the page. */
  async clickInHome(user: string, blockId: string, actionId: string): Promise<void> {
    const home = this.slack.homes.get(user);
    if (!home) throw new PlaygroundError('Your Home tab is empty; open it first.');
    const button = findButtonIn(home.view.blocks as unknown[], blockId, actionId);
    if (!button) throw new PlaygroundError('That button is not on your Home any more.');
    const res = await this.driver.act({ kind: 'view', view: { ...viewLike(home), type: 'home' }, values: {} }, button, { user, triggerId: this.issueTrigger(user) });
    if (res.status !== 200) throw new PlaygroundError(`spconn did not handle that click (HTTP ${res.status}).`);
  }

  /** A button, or a menu whose input dispatches actions, in the person's open modal. */
  async actInView(user: string, viewId: string, page: PageValues, blockId: string, actionId: string): Promise<void> {
    const view = this.topView(user, viewId);
    const values = this.stateFrom(user, view, page);
    const element = findElement(view.view.blocks, blockId, actionId);
    if (!element) throw new PlaygroundError('That element is not in the form any more.');
    let acted: ActedElement;
    if (element.type === 'button') {
      acted = { type: 'button', action_id: actionId, block_id: blockId, text: element.text, ...(typeof element.value === 'string' ? { value: element.value } : {}) };
    } else {
      const entry = values[blockId]?.[actionId];
      if (!entry || entry.type === 'plain_text_input') throw new PlaygroundError('Only buttons and menus send actions.');
      acted = {
        type: entry.type,
        action_id: actionId,
        block_id: blockId,
        ...(entry.selected_option !== undefined ? { selected_option: entry.selected_option } : {}),
        ...(entry.selected_options ? { selected_options: entry.selected_options } : {}),
      };
    }
    await this.driver.act({ kind: 'view', view: viewLike(view), values }, acted, { user, triggerId: this.issueTrigger(user, view.id) });
  }

  /** Options of an external_select, from a real `block_suggestion` to the app. */
  async suggest(user: string, viewId: string, page: PageValues, blockId: string, actionId: string, typed: string): Promise<Suggestion[]> {
    const view = this.topView(user, viewId);
    const res = await this.driver.suggest(viewLike(view), this.stateFrom(user, view, page), blockId, actionId, typed, { user });
    const answer = suggestionAnswerSchema.safeParse(parseBody(res));
    if (res.status !== 200 || !answer.success) return [];
    const options = 'options' in answer.data ? answer.data.options : answer.data.option_groups.flatMap((g) => g.options);
    return options.map((o) => ({ text: { type: 'plain_text', text: o.text.text }, value: o.value }));
  }

  /** Submits the person's open modal and does what the app's answer says, as Slack would. */
  async submit(user: string, viewId: string, page: PageValues): Promise<void> {
    const view = this.topView(user, viewId);
    const values = this.stateFrom(user, view, page);
    const res = await this.driver.submitView(viewLike(view), values, { user, triggerId: this.issueTrigger(user, view.id) });
    this.errors.delete(view.id);
    if (res.status !== 200) {
      this.errors.set(view.id, { fields: {}, problem: `We had some trouble connecting: spconn answered HTTP ${res.status}. Try again?` });
      return this.changed();
    }
    if (res.text.trim() === '') {
      this.pop(user);
      return this.changed();
    }
    const answer = submissionAnswerSchema.safeParse(parseBody(res));
    if (!answer.success) {
      this.errors.set(view.id, { fields: {}, problem: 'spconn answered something Slack does not understand; the form stays open.' });
      return this.changed();
    }
    const outcome = answer.data;
    switch (outcome.response_action) {
      case 'errors':
        this.errors.set(view.id, { fields: outcome.errors });
        break;
      case 'clear':
        this.stacks.set(user, []);
        break;
      case 'update':
      case 'push': {
        const result = this.slack.respondToSubmission(view.id, outcome.response_action, outcome.view);
        if (!result.ok) {
          this.errors.set(view.id, { fields: {}, problem: `Slack refused the app's ${outcome.response_action}: ${result.problems[0] ?? result.error}` });
        } else if (outcome.response_action === 'push') {
          this.stacks.get(user)?.push(result.view.id);
        }
        break;
      }
    }
    this.changed();
  }

  /** Cancel (or Back, in a stack): closes the top view, all of them when it says clear_on_close. */
  async close(user: string, viewId: string): Promise<void> {
    const view = this.topView(user, viewId);
    if (view.view.notify_on_close === true) {
      await this.driver.closeView(viewLike(view), {}, { user, cleared: view.view.clear_on_close === true });
    }
    if (view.view.clear_on_close === true) this.stacks.set(user, []);
    else this.pop(user);
    this.changed();
  }

  // ---- what the page shows ----

  snapshot(user: string): WorkspaceSnapshot {
    this.claimViews();
    const channel = this.channel.id;
    const all = this.slack.messages;
    const mine = [...this.slack.ephemerals.map((e) => ({ ...e, author: 'spconn' })), ...this.ephemerals].filter((e) => e.user === user);
    const toPage = (m: (typeof all)[number]): PageMessage => ({
      channel: m.channel,
      ts: m.ts,
      ...(m.threadTs ? { threadTs: m.threadTs } : {}),
      author: 'spconn',
      text: m.text,
      blocks: blocksWithIds(m.blocks),
      edited: m.updates > 0,
      ephemeral: false,
    });
    const ephemeralToPage = (e: StoredEphemeral): PageMessage => ({ channel: e.channel, ts: e.ts, ...(e.threadTs ? { threadTs: e.threadTs } : {}), author: e.author, text: e.text, blocks: blocksWithIds(e.blocks), edited: false, ephemeral: true });
    const byTs = (a: PageMessage, b: PageMessage) => Number(a.ts) - Number(b.ts);
    const threadOf = (ch: string, ts: string): PageMessage[] =>
      [...all.filter((m) => m.channel === ch && m.threadTs === ts && m.ts !== ts).map(toPage), ...mine.filter((e) => e.channel === ch && e.threadTs === ts).map(ephemeralToPage)].sort(byTs);
    const timeline = (ch: string): PageMessage[] =>
      [...all.filter((m) => m.channel === ch && (!m.threadTs || m.threadTs === m.ts)).map(toPage), ...mine.filter((e) => e.channel === ch && !e.threadTs).map(ephemeralToPage)]
        .sort(byTs)
        .map((m) => (m.ephemeral ? m : { ...m, replies: threadOf(ch, m.ts) }));
    return {
      me: user,
      people: this.people,
      channel: this.channel,
      messages: timeline(channel),
      directMessages: timeline(`D${user.slice(1)}`),
      modal: this.modalFor(user),
      home: this.slack.homes.has(user) ? { blocks: blocksWithIds(this.slack.homes.get(user)!.view.blocks) } : null,
    };
  }

  private modalFor(user: string): PageModal | null {
    const stack = this.stacks.get(user) ?? [];
    const top = stack.at(-1);
    const view = top ? this.slack.views.get(top) : undefined;
    if (!view) return null;
    const errors = this.errors.get(view.id);
    return {
      viewId: view.id,
      hash: view.hash,
      depth: stack.length - 1,
      title: view.view.title,
      submit: view.view.submit ?? null,
      close: view.view.close ?? null,
      blocks: blocksForPage(view.view.blocks, this.typed.get(user) ?? new Set()),
      errors: errors?.fields ?? {},
      ...(errors?.problem ? { problem: errors.problem } : {}),
    };
  }

  // ---- Slack's bookkeeping ----

  private issueTrigger(user: string, fromViewId?: string): string {
    const id = this.slack.issueTriggerId(fromViewId ? { fromViewId } : {});
    this.triggers.set(id, user);
    return id;
  }

  /** Views the app opened or pushed with a trigger_id the playground issued go to that person's stack. */
  private claimViews(): void {
    if (this.triggers.size === 0) return;
    for (const view of this.slack.views.values()) {
      const user = view.triggerId ? this.triggers.get(view.triggerId) : undefined;
      if (!user || !view.triggerId) continue;
      this.triggers.delete(view.triggerId);
      const stack = this.stacks.get(user) ?? [];
      const previous = view.view.previous_view_id;
      const under = typeof previous === 'string' ? stack.indexOf(previous) : -1;
      // views.push stacks on the view it came from; views.open starts a new modal.
      this.stacks.set(user, under >= 0 ? [...stack.slice(0, under + 1), view.id] : [view.id]);
    }
    // Triggers live 3 s at Slack; forget the ones that opened nothing.
    if (this.triggers.size > 200) for (const id of [...this.triggers.keys()].slice(0, 100)) this.triggers.delete(id);
  }

  private topView(user: string, viewId: string): SlackView {
    this.claimViews();
    const top = this.stacks.get(user)?.at(-1);
    const view = top === viewId ? this.slack.views.get(viewId) : undefined;
    if (!view) throw new PlaygroundError('That form is no longer open.');
    return view;
  }

  private pop(user: string): void {
    this.stacks.get(user)?.pop();
  }

  private stateFrom(user: string, view: SlackView, page: PageValues) {
    const values = stateForView(view.view.blocks, page);
    const typed = this.typed.get(user) ?? new Set<string>();
    for (const f of typedFingerprints(values)) typed.add(f);
    this.typed.set(user, typed);
    return values;
  }

  private findMessage(user: string, ref: MessageRef): { channel: string; ts: string; threadTs?: string; text: string; blocks: unknown[] } | undefined {
    if (!ref.ephemeral) return this.slack.messages.find((m) => m.channel === ref.channel && m.ts === ref.ts);
    return [...this.slack.ephemerals, ...this.ephemerals].find((e) => e.user === user && e.channel === ref.channel && e.ts === ref.ts);
  }

  private addEphemeral(user: string, author: string, text: string, blocks: unknown[] = [], threadTs?: string): void {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 100);
    const micros = Math.floor(this.lastTsMicros);
    const ts = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
    this.ephemerals.push({ channel: this.channel.id, user, ts, ...(threadTs ? { threadTs } : {}), author, text, blocks });
    this.changed();
  }
}

function parseBody(res: SignedResponse): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

function viewLike(view: SlackView): ViewLike {
  const v = view.view;
  return {
    id: view.id,
    hash: view.hash,
    callback_id: typeof v.callback_id === 'string' ? v.callback_id : '',
    private_metadata: typeof v.private_metadata === 'string' ? v.private_metadata : '',
    blocks: blocksWithIds(v.blocks),
    title: v.title,
    submit: v.submit,
    close: v.close,
    root_view_id: v.root_view_id,
    previous_view_id: v.previous_view_id,
    external_id: v.external_id,
  };
}

function findButtonIn(blocks: unknown[], blockId: string, actionId: string): ActedElement | undefined {
  const withIds = blocksWithIds(blocks);
  const block = withIds.find((b) => b.block_id === blockId);
  if (!block || !isRecord(block)) return undefined;
  const button = findButton([block], actionId);
  // The app sent the block without an id; Slack would have given it one, and so does the payload.
  return button ? { ...button, block_id: blockId } : undefined;
}
