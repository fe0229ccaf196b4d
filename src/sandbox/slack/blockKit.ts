// Block Kit limits as Slack enforces them (shared/slack/README.md), so a payload the emulator
// accepts would be accepted by Slack. Returns the first problem as Slack words it, or undefined.

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

function text(p: Problems, value: unknown, pointer: string, max: number, kind?: 'plain_text' | 'mrkdwn'): void {
  if (!isObj(value) || (value.type !== 'plain_text' && value.type !== 'mrkdwn')) {
    p.add(pointer, 'must be a text object');
    return;
  }
  if (kind && value.type !== kind) p.add(`${pointer}/type`, `must be ${kind}`);
  if (typeof value.text !== 'string' || value.text.length < 1) p.add(`${pointer}/text`, 'must be at least 1 character');
  else if (value.text.length > max) p.add(`${pointer}/text`, `must be less than ${max + 1} characters`);
}

function ids(p: Problems, seen: Set<string>, id: unknown, pointer: string): void {
  if (id === undefined) return;
  if (typeof id !== 'string' || id.length > 255) p.add(pointer, 'must be a string of at most 255 characters');
  else if (seen.has(id)) p.add(pointer, `duplicate id ${id}`);
  else seen.add(id);
}

function options(p: Problems, opts: unknown, pointer: string, max: number): void {
  if (!Array.isArray(opts)) return;
  if (opts.length > max) p.add(pointer, `must provide at most ${max} items`);
  opts.forEach((o, i) => {
    if (!isObj(o)) return p.add(`${pointer}/${i}`, 'must be an option');
    text(p, o.text, `${pointer}/${i}/text`, 75);
    if (typeof o.value !== 'string' || o.value.length > 75) p.add(`${pointer}/${i}/value`, 'must be at most 75 characters');
  });
}

function element(p: Problems, el: unknown, pointer: string, actionIds: Set<string>): void {
  if (!isObj(el)) return p.add(pointer, 'must be an element');
  ids(p, actionIds, el.action_id, `${pointer}/action_id`);
  switch (el.type) {
    case 'plain_text_input':
      if (el.placeholder !== undefined) text(p, el.placeholder, `${pointer}/placeholder`, 150, 'plain_text');
      if (el.max_length !== undefined && (typeof el.max_length !== 'number' || el.max_length > 3000)) p.add(`${pointer}/max_length`, 'must be at most 3000');
      if (el.initial_value !== undefined && typeof el.initial_value !== 'string') p.add(`${pointer}/initial_value`, 'must be a string');
      return;
    case 'static_select':
    case 'multi_static_select':
      if (el.placeholder !== undefined) text(p, el.placeholder, `${pointer}/placeholder`, 150, 'plain_text');
      if (!Array.isArray(el.options) && !Array.isArray(el.option_groups)) p.add(`${pointer}/options`, 'must provide options or option_groups');
      options(p, el.options, `${pointer}/options`, 100);
      if (Array.isArray(el.option_groups) && el.option_groups.length > 100) p.add(`${pointer}/option_groups`, 'must provide at most 100 items');
      return;
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
      if (el.placeholder !== undefined) text(p, el.placeholder, `${pointer}/placeholder`, 150, 'plain_text');
      return;
    case 'radio_buttons':
    case 'checkboxes':
      if (!Array.isArray(el.options)) p.add(`${pointer}/options`, 'is required');
      options(p, el.options, `${pointer}/options`, 10);
      return;
    case 'button':
      text(p, el.text, `${pointer}/text`, 75, 'plain_text');
      if (el.value !== undefined && (typeof el.value !== 'string' || el.value.length > 2000)) p.add(`${pointer}/value`, 'must be at most 2000 characters');
      if (el.url !== undefined && (typeof el.url !== 'string' || el.url.length > 3000)) p.add(`${pointer}/url`, 'must be at most 3000 characters');
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') p.add(`${pointer}/style`, 'must be primary or danger');
      if (el.confirm !== undefined) {
        const c = el.confirm;
        if (!isObj(c)) return p.add(`${pointer}/confirm`, 'must be a confirm object');
        text(p, c.title, `${pointer}/confirm/title`, 100, 'plain_text');
        text(p, c.text, `${pointer}/confirm/text`, 300);
        text(p, c.confirm, `${pointer}/confirm/confirm`, 30, 'plain_text');
        text(p, c.deny, `${pointer}/confirm/deny`, 30, 'plain_text');
      }
      return;
    case 'image':
      return;
    default:
      p.add(`${pointer}/type`, `unsupported element type ${String(el.type)}`);
  }
}

function block(p: Problems, b: unknown, pointer: string, blockIds: Set<string>, actionIds: Set<string>, surface: 'modal' | 'message'): void {
  if (!isObj(b)) return p.add(pointer, 'must be a block');
  ids(p, blockIds, b.block_id, `${pointer}/block_id`);
  switch (b.type) {
    case 'header':
      return text(p, b.text, `${pointer}/text`, 150, 'plain_text');
    case 'section':
      if (b.text === undefined && b.fields === undefined) p.add(pointer, 'must provide text or fields');
      if (b.text !== undefined) text(p, b.text, `${pointer}/text`, 3000);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length > 10) p.add(`${pointer}/fields`, 'must provide at most 10 items');
        else b.fields.forEach((f, i) => text(p, f, `${pointer}/fields/${i}`, 2000));
      }
      if (b.accessory !== undefined) element(p, b.accessory, `${pointer}/accessory`, actionIds);
      return;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 10) p.add(`${pointer}/elements`, 'must provide 1 to 10 items');
      else b.elements.forEach((e, i) => (isObj(e) && e.type === 'image' ? undefined : text(p, e, `${pointer}/elements/${i}`, 3000)));
      return;
    case 'divider':
      return;
    case 'actions':
      if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 25) p.add(`${pointer}/elements`, 'must provide 1 to 25 items');
      else b.elements.forEach((e, i) => element(p, e, `${pointer}/elements/${i}`, actionIds));
      return;
    case 'input':
      if (surface === 'message') p.add(`${pointer}/type`, 'input blocks are not allowed in messages');
      text(p, b.label, `${pointer}/label`, 2000, 'plain_text');
      if (b.hint !== undefined) text(p, b.hint, `${pointer}/hint`, 2000, 'plain_text');
      if (!isObj(b.element)) p.add(`${pointer}/element`, 'must provide exactly one element');
      else element(p, b.element, `${pointer}/element`, actionIds);
      return;
    default:
      p.add(`${pointer}/type`, `unsupported block type ${String(b.type)}`);
  }
}

function blocks(p: Problems, list: unknown, pointer: string, max: number, surface: 'modal' | 'message'): void {
  if (!Array.isArray(list)) return p.add(pointer, 'must be an array');
  if (list.length > max) p.add(pointer, `must provide at most ${max} items`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  list.forEach((b, i) => block(p, b, `${pointer}/${i}`, blockIds, actionIds, surface));
}

/** Problems with a message's blocks; the error code Slack would answer with. */
export function validateMessage(text: unknown, list: unknown, method: 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral'): { error: string; messages: string[] } | undefined {
  if (typeof text === 'string' && method === 'chat.update' && text.length > 4000) return { error: 'msg_too_long', messages: [] };
  if (typeof text === 'string' && text.length > 40_000) return { error: 'msg_too_long', messages: [] };
  if (list === undefined) return typeof text === 'string' && text.length > 0 ? undefined : { error: 'no_text', messages: [] };
  const p = new Problems();
  blocks(p, list, '/blocks', 50, 'message');
  if (p.list.length) return { error: 'invalid_blocks', messages: p.list };
  if (textTotal(list) > 13_000) return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

function textTotal(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textTotal(v), 0);
  if (!isObj(value)) return 0;
  return Object.entries(value).reduce((n, [k, v]) => n + (k === 'text' && typeof v === 'string' ? v.length : textTotal(v)), 0);
}

/** Problems with a modal view, as `views.open` / `views.update` / `views.push` answer them. */
export function validateView(view: unknown): string[] {
  const p = new Problems();
  if (!isObj(view)) {
    p.add('/view', 'must be an object');
    return p.list;
  }
  if (view.type !== 'modal') p.add('/view/type', 'must be modal');
  text(p, view.title, '/view/title', 24, 'plain_text');
  if (view.submit !== undefined) text(p, view.submit, '/view/submit', 24, 'plain_text');
  if (view.close !== undefined) text(p, view.close, '/view/close', 24, 'plain_text');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) p.add('/view/private_metadata', 'must be less than 3001 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) p.add('/view/callback_id', 'must be less than 256 characters');
  if (typeof view.external_id === 'string' && view.external_id.length > 255) p.add('/view/external_id', 'must be less than 256 characters');
  blocks(p, view.blocks, '/view/blocks', 100, 'modal');
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
  if (hasInput && view.submit === undefined) p.add('/view/submit', 'is required when the view has input blocks');
  return p.list;
}
