// Block Kit validation as Slack performs it on views and messages (limits from shared/slack/README.md),
// as pure functions so the rules can be unit tested. Problems are worded and pointed like Slack's own
// `response_metadata.messages`: "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]".

type Json = Record<string, unknown>;

export type Surface = 'modal' | 'home' | 'message';

/** What Slack answers for a message that fails validation (`invalid_blocks`, `msg_too_long`, …). */
export interface MessageProblem {
  error: string;
  messages: string[];
}

export const LIMITS = {
  modalBlocks: 100,
  /** A Home tab view: 100 blocks too (docs.slack.dev, "Home tab views"). */
  homeBlocks: 100,
  messageBlocks: 50,
  modalTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
  id: 255,
  header: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionField: 2000,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  placeholder: 150,
  textInputLength: 3000,
  selectOptions: 100,
  // Slack accepts 150 for an option value, but @slack/types says 75: an app that stays within 75 is safe.
  optionText: 75,
  optionValue: 75,
  choiceOptions: 10,
  overflowOptions: 5,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageText: 40_000,
  updateText: 4000,
  // Slack refuses blocks whose text adds up to roughly this much with `msg_blocks_too_long`.
  blocksTextTotal: 13_000,
} as const;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems; several can be reported at once, as Slack does. */
class Problems {
  readonly messages: string[] = [];
  readonly blockIds = new Set<string>();
  readonly actionIds = new Set<string>();

  add(pointer: string, what: string): void {
    this.messages.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  }

  /** Slack rejects any property its schema does not name. */
  onlyKnown(obj: Json, pointer: string, known: readonly string[]): void {
    for (const key of Object.keys(obj)) if (!known.includes(key)) this.add(pointer, `invalid additional property: ${key}`);
  }

  string(value: unknown, pointer: string, opts: { max?: number; min?: number; required?: boolean } = {}): value is string {
    if (value === undefined) {
      if (opts.required) this.add(pointer, `missing required field: ${lastSegment(pointer)}`);
      return false;
    }
    if (typeof value !== 'string') {
      this.add(pointer, 'must be a string');
      return false;
    }
    if (opts.min !== undefined && value.length < opts.min) this.add(pointer, `must be more than ${opts.min - 1} characters`);
    if (opts.max !== undefined && value.length > opts.max) this.add(pointer, `must be less than ${opts.max + 1} characters`);
    return true;
  }

  boolean(value: unknown, pointer: string): void {
    if (value !== undefined && typeof value !== 'boolean') this.add(pointer, 'must be a boolean');
  }

  array(value: unknown, pointer: string, opts: { min?: number; max?: number; required?: boolean }): unknown[] | undefined {
    if (value === undefined) {
      if (opts.required) this.add(pointer, `missing required field: ${lastSegment(pointer)}`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.add(pointer, 'must be an array');
      return undefined;
    }
    if (opts.min !== undefined && value.length < opts.min) this.add(pointer, `must provide at least ${opts.min} items`);
    if (opts.max !== undefined && value.length > opts.max) this.add(pointer, `no more than ${opts.max} items allowed`);
    return value;
  }

  /** block_id and action_id: at most 255 characters, unique within the view or message. */
  id(value: unknown, pointer: string, seen: Set<string>): void {
    if (value === undefined) return;
    if (!this.string(value, pointer, { min: 1, max: LIMITS.id })) return;
    if (seen.has(value)) this.add(pointer, `duplicate ${lastSegment(pointer)}: ${value}`);
    seen.add(value);
  }
}

function lastSegment(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

// ---- composition objects ----

function textObject(p: Problems, value: unknown, pointer: string, opts: { max?: number; plainOnly?: boolean; required?: boolean } = {}): void {
  if (value === undefined) {
    if (opts.required !== false) p.add(pointer, `missing required field: ${lastSegment(pointer)}`);
    return;
  }
  if (!isRecord(value)) return p.add(pointer, 'must be a text object');
  if (value.type === 'plain_text') {
    p.onlyKnown(value, pointer, ['type', 'text', 'emoji']);
    p.boolean(value.emoji, `${pointer}/emoji`);
  } else if (value.type === 'mrkdwn') {
    if (opts.plainOnly) p.add(`${pointer}/type`, 'must be plain_text');
    p.onlyKnown(value, pointer, ['type', 'text', 'verbatim']);
    p.boolean(value.verbatim, `${pointer}/verbatim`);
  } else {
    return p.add(`${pointer}/type`, opts.plainOnly ? 'must be plain_text' : 'must be plain_text or mrkdwn');
  }
  p.string(value.text, `${pointer}/text`, { min: 1, max: opts.max, required: true });
}

function confirm(p: Problems, value: unknown, pointer: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) return p.add(pointer, 'must be a confirmation dialog object');
  p.onlyKnown(value, pointer, ['title', 'text', 'confirm', 'deny', 'style']);
  textObject(p, value.title, `${pointer}/title`, { max: LIMITS.confirmTitle, plainOnly: true });
  textObject(p, value.text, `${pointer}/text`, { max: LIMITS.confirmText });
  textObject(p, value.confirm, `${pointer}/confirm`, { max: LIMITS.confirmButton, plainOnly: true });
  textObject(p, value.deny, `${pointer}/deny`, { max: LIMITS.confirmButton, plainOnly: true });
  style(p, value.style, `${pointer}/style`);
}

function style(p: Problems, value: unknown, pointer: string): void {
  if (value !== undefined && value !== 'primary' && value !== 'danger') p.add(pointer, 'must be one of: primary, danger');
}

interface OptionRules {
  /** Selects and overflow menus take plain_text only; radio buttons and checkboxes also mrkdwn. */
  plainOnly: boolean;
  /** Only overflow menu options may carry a url. */
  url: boolean;
}

function optionObject(p: Problems, value: unknown, pointer: string, rules: OptionRules): void {
  if (!isRecord(value)) return p.add(pointer, 'must be an option object');
  p.onlyKnown(value, pointer, rules.url ? ['text', 'value', 'description', 'url'] : ['text', 'value', 'description']);
  textObject(p, value.text, `${pointer}/text`, { max: LIMITS.optionText, plainOnly: rules.plainOnly });
  p.string(value.value, `${pointer}/value`, { min: 1, max: LIMITS.optionValue, required: true });
  if (value.description !== undefined) textObject(p, value.description, `${pointer}/description`, { max: LIMITS.optionText, plainOnly: rules.plainOnly });
  if (rules.url) p.string(value.url, `${pointer}/url`, { max: LIMITS.url });
}

function optionList(p: Problems, value: unknown, pointer: string, opts: { min: number; max: number; required: boolean } & OptionRules): unknown[] {
  const list = p.array(value, pointer, opts) ?? [];
  list.forEach((o, i) => optionObject(p, o, `${pointer}/${i}`, opts));
  return list;
}

/** Slack answers "must be one of the provided options" when an initial option is not in the menu. */
function sameOption(a: unknown, b: unknown): boolean {
  return isRecord(a) && isRecord(b) && a.value === b.value && isRecord(a.text) && isRecord(b.text) && a.text.text === b.text.text;
}

function initialOptions(p: Problems, el: Json, pointer: string, available: unknown[]): void {
  if (el.initial_option !== undefined && !available.some((o) => sameOption(o, el.initial_option))) {
    p.add(`${pointer}/initial_option`, 'must be one of the provided options');
  }
  if (el.initial_options !== undefined) {
    const chosen = p.array(el.initial_options, `${pointer}/initial_options`, { min: 1 }) ?? [];
    if (!chosen.every((c) => available.some((o) => sameOption(o, c)))) p.add(`${pointer}/initial_options`, 'must be one of the provided options');
  }
}

// ---- elements ----

const SELECTS = ['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select'] as const;
const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
const ALL_SELECTS = [...SELECTS, ...MULTI_SELECTS];

/** Which elements each place accepts, from the Block Kit reference. */
const ACCEPTS = {
  section: new Set(['button', 'checkboxes', 'datepicker', 'image', 'overflow', 'radio_buttons', 'timepicker', ...ALL_SELECTS]),
  actions: new Set(['button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', ...ALL_SELECTS]),
  input: new Set(['plain_text_input', 'checkboxes', 'radio_buttons', 'datepicker', 'timepicker', 'datetimepicker', 'email_text_input', 'url_text_input', 'number_text_input', 'file_input', 'rich_text_input', ...ALL_SELECTS]),
} as const;

interface ElementSpec {
  props: readonly string[];
  check?: (p: Problems, el: Json, pointer: string) => void;
}

const placeholder = (p: Problems, el: Json, pointer: string) => {
  if (el.placeholder !== undefined) textObject(p, el.placeholder, `${pointer}/placeholder`, { max: LIMITS.placeholder, plainOnly: true });
};

const textLengths = (p: Problems, el: Json, pointer: string) => {
  for (const key of ['min_length', 'max_length'] as const) {
    const v = el[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < (key === 'max_length' ? 1 : 0) || v > LIMITS.textInputLength)) {
      p.add(`${pointer}/${key}`, `must be an integer no greater than ${LIMITS.textInputLength}`);
    }
  }
  if (typeof el.min_length === 'number' && typeof el.max_length === 'number' && el.min_length > el.max_length) p.add(`${pointer}/min_length`, 'must not be greater than max_length');
};

const staticSelect = (p: Problems, el: Json, pointer: string) => {
  placeholder(p, el, pointer);
  if ((el.options === undefined) === (el.option_groups === undefined)) p.add(pointer, 'must provide exactly one of options or option_groups');
  const available = optionList(p, el.options, `${pointer}/options`, { min: 1, max: LIMITS.selectOptions, required: false, plainOnly: true, url: false });
  const groups = p.array(el.option_groups, `${pointer}/option_groups`, { min: 1, max: LIMITS.selectOptions }) ?? [];
  groups.forEach((g, i) => {
    const gp = `${pointer}/option_groups/${i}`;
    if (!isRecord(g)) return p.add(gp, 'must be an option group');
    p.onlyKnown(g, gp, ['label', 'options']);
    textObject(p, g.label, `${gp}/label`, { max: LIMITS.optionText, plainOnly: true });
    available.push(...optionList(p, g.options, `${gp}/options`, { min: 1, max: LIMITS.selectOptions, required: true, plainOnly: true, url: false }));
  });
  initialOptions(p, el, pointer, available);
};

const choices = (p: Problems, el: Json, pointer: string) => {
  const available = optionList(p, el.options, `${pointer}/options`, { min: 1, max: LIMITS.choiceOptions, required: true, plainOnly: false, url: false });
  initialOptions(p, el, pointer, available);
};

const SELECT_COMMON = ['placeholder', 'confirm', 'focus_on_load'];
const MULTI_COMMON = [...SELECT_COMMON, 'max_selected_items'];
const INPUT_COMMON = ['placeholder', 'initial_value', 'dispatch_action_config', 'focus_on_load'];

const ELEMENTS: Record<string, ElementSpec> = {
  button: {
    props: ['text', 'value', 'url', 'style', 'confirm', 'accessibility_label'],
    check: (p, el, ptr) => {
      textObject(p, el.text, `${ptr}/text`, { max: LIMITS.buttonText, plainOnly: true });
      p.string(el.value, `${ptr}/value`, { max: LIMITS.buttonValue });
      p.string(el.url, `${ptr}/url`, { max: LIMITS.url });
      p.string(el.accessibility_label, `${ptr}/accessibility_label`, { max: LIMITS.buttonText });
      style(p, el.style, `${ptr}/style`);
    },
  },
  static_select: { props: [...SELECT_COMMON, 'options', 'option_groups', 'initial_option'], check: staticSelect },
  multi_static_select: { props: [...MULTI_COMMON, 'options', 'option_groups', 'initial_options'], check: staticSelect },
  external_select: { props: [...SELECT_COMMON, 'initial_option', 'min_query_length'], check: placeholder },
  multi_external_select: { props: [...MULTI_COMMON, 'initial_options', 'min_query_length'], check: placeholder },
  users_select: { props: [...SELECT_COMMON, 'initial_user'], check: placeholder },
  multi_users_select: { props: [...MULTI_COMMON, 'initial_users'], check: placeholder },
  conversations_select: { props: [...SELECT_COMMON, 'initial_conversation', 'default_to_current_conversation', 'response_url_enabled', 'filter'], check: placeholder },
  multi_conversations_select: { props: [...MULTI_COMMON, 'initial_conversations', 'default_to_current_conversation', 'filter'], check: placeholder },
  channels_select: { props: [...SELECT_COMMON, 'initial_channel', 'response_url_enabled'], check: placeholder },
  multi_channels_select: { props: [...MULTI_COMMON, 'initial_channels'], check: placeholder },
  overflow: {
    props: ['options', 'confirm'],
    check: (p, el, ptr) => void optionList(p, el.options, `${ptr}/options`, { min: 1, max: LIMITS.overflowOptions, required: true, plainOnly: true, url: true }),
  },
  radio_buttons: { props: ['options', 'initial_option', 'confirm', 'focus_on_load'], check: choices },
  checkboxes: { props: ['options', 'initial_options', 'confirm', 'focus_on_load'], check: choices },
  plain_text_input: {
    props: [...INPUT_COMMON, 'multiline', 'min_length', 'max_length'],
    check: (p, el, ptr) => {
      placeholder(p, el, ptr);
      p.string(el.initial_value, `${ptr}/initial_value`);
      p.boolean(el.multiline, `${ptr}/multiline`);
      textLengths(p, el, ptr);
    },
  },
  email_text_input: { props: INPUT_COMMON, check: placeholder },
  url_text_input: { props: INPUT_COMMON, check: placeholder },
  number_text_input: { props: [...INPUT_COMMON, 'is_decimal_allowed', 'min_value', 'max_value'], check: placeholder },
  rich_text_input: { props: INPUT_COMMON, check: placeholder },
  datepicker: { props: ['initial_date', 'placeholder', 'confirm', 'focus_on_load'], check: placeholder },
  timepicker: { props: ['initial_time', 'placeholder', 'confirm', 'focus_on_load', 'timezone'], check: placeholder },
  datetimepicker: { props: ['initial_date_time', 'confirm', 'focus_on_load'] },
  file_input: { props: ['filetypes', 'max_files'] },
};

function element(p: Problems, el: unknown, pointer: string, accepts: ReadonlySet<string>): void {
  if (!isRecord(el)) return p.add(pointer, 'must be an element object');
  const type = typeof el.type === 'string' ? el.type : '';
  if (!accepts.has(type)) return p.add(`${pointer}/type`, type ? `unsupported type: ${type}` : 'missing required field: type');
  if (type === 'image') return imageElement(p, el, pointer);
  const spec = ELEMENTS[type];
  if (!spec) return p.add(`${pointer}/type`, `unsupported type: ${type}`);
  p.onlyKnown(el, pointer, ['type', 'action_id', ...spec.props]);
  p.id(el.action_id, `${pointer}/action_id`, p.actionIds);
  confirm(p, el.confirm, `${pointer}/confirm`);
  p.boolean(el.focus_on_load, `${pointer}/focus_on_load`);
  spec.check?.(p, el, pointer);
}

function imageElement(p: Problems, el: Json, pointer: string): void {
  p.onlyKnown(el, pointer, ['type', 'image_url', 'slack_file', 'alt_text']);
  if (el.image_url === undefined && el.slack_file === undefined) p.add(pointer, 'must provide image_url or slack_file');
  p.string(el.image_url, `${pointer}/image_url`, { min: 1, max: LIMITS.url });
  p.string(el.alt_text, `${pointer}/alt_text`, { min: 1, max: 2000, required: true });
}

// ---- blocks ----

function block(p: Problems, b: unknown, pointer: string): void {
  if (!isRecord(b)) return p.add(pointer, 'must be a block object');
  p.id(b.block_id, `${pointer}/block_id`, p.blockIds);
  const known = (...props: string[]) => p.onlyKnown(b, pointer, ['type', 'block_id', ...props]);
  switch (b.type) {
    case 'divider':
      return known();
    case 'header':
      known('text');
      return textObject(p, b.text, `${pointer}/text`, { max: LIMITS.header, plainOnly: true });
    case 'section': {
      known('text', 'fields', 'accessory', 'expand');
      if (b.text === undefined && b.fields === undefined) p.add(pointer, 'must provide text or fields');
      if (b.text !== undefined) textObject(p, b.text, `${pointer}/text`, { max: LIMITS.sectionText });
      const fields = p.array(b.fields, `${pointer}/fields`, { min: 1, max: LIMITS.sectionFields }) ?? [];
      fields.forEach((f, i) => textObject(p, f, `${pointer}/fields/${i}`, { max: LIMITS.sectionField }));
      if (b.accessory !== undefined) element(p, b.accessory, `${pointer}/accessory`, ACCEPTS.section);
      return p.boolean(b.expand, `${pointer}/expand`);
    }
    case 'context': {
      known('elements');
      const elements = p.array(b.elements, `${pointer}/elements`, { min: 1, max: LIMITS.contextElements, required: true }) ?? [];
      return elements.forEach((e, i) => (isRecord(e) && e.type === 'image' ? imageElement(p, e, `${pointer}/elements/${i}`) : textObject(p, e, `${pointer}/elements/${i}`)));
    }
    case 'actions': {
      known('elements');
      const elements = p.array(b.elements, `${pointer}/elements`, { min: 1, max: LIMITS.actionsElements, required: true }) ?? [];
      return elements.forEach((e, i) => element(p, e, `${pointer}/elements/${i}`, ACCEPTS.actions));
    }
    case 'input':
      known('label', 'element', 'hint', 'optional', 'dispatch_action');
      textObject(p, b.label, `${pointer}/label`, { max: LIMITS.inputLabel, plainOnly: true });
      if (b.hint !== undefined) textObject(p, b.hint, `${pointer}/hint`, { max: LIMITS.inputLabel, plainOnly: true });
      p.boolean(b.optional, `${pointer}/optional`);
      p.boolean(b.dispatch_action, `${pointer}/dispatch_action`);
      // Exactly one element, as an object: an array (or nothing) is refused.
      if (!isRecord(b.element)) return p.add(`${pointer}/element`, 'must provide exactly one element object');
      return element(p, b.element, `${pointer}/element`, ACCEPTS.input);
    case 'image':
      known('image_url', 'slack_file', 'alt_text', 'title');
      if (b.image_url === undefined && b.slack_file === undefined) p.add(pointer, 'must provide image_url or slack_file');
      p.string(b.image_url, `${pointer}/image_url`, { min: 1, max: LIMITS.url });
      p.string(b.alt_text, `${pointer}/alt_text`, { min: 1, max: 2000, required: true });
      if (b.title !== undefined) textObject(p, b.title, `${pointer}/title`, { max: 2000, plainOnly: true });
      return;
    case 'rich_text':
      // Rich text has its own deep grammar; spconn does not send it, so only its shape is checked.
      known('elements');
      p.array(b.elements, `${pointer}/elements`, { required: true });
      return;
    default:
      return p.add(`${pointer}/type`, typeof b.type === 'string' ? `unsupported type: ${b.type}` : 'missing required field: type');
  }
}

function blockList(p: Problems, list: unknown, pointer: string, surface: Surface): void {
  const max = surface === 'modal' ? LIMITS.modalBlocks : surface === 'home' ? LIMITS.homeBlocks : LIMITS.messageBlocks;
  const blocks = p.array(list, pointer, { max, required: true }) ?? [];
  blocks.forEach((b, i) => block(p, b, `${pointer}/${i}`));
}

/** Problems with a list of blocks on a surface; empty when Slack would accept it. */
export function validateBlocks(blocks: unknown, surface: Surface, pointer = surface === 'message' ? '/blocks' : '/view/blocks'): string[] {
  const p = new Problems();
  blockList(p, blocks, pointer, surface);
  return p.messages;
}

const MODAL_PROPS = ['type', 'title', 'blocks', 'close', 'submit', 'private_metadata', 'callback_id', 'clear_on_close', 'notify_on_close', 'external_id'];

/** Problems with a modal, as `views.open` / `views.update` / `views.push` report them with `invalid_arguments`. */
export function validateView(view: unknown): string[] {
  const p = new Problems();
  if (!isRecord(view)) {
    p.add('/view', 'must be a view object');
    return p.messages;
  }
  if (view.type !== 'modal') p.add('/view/type', 'must be modal');
  p.onlyKnown(view, '/view', MODAL_PROPS);
  textObject(p, view.title, '/view/title', { max: LIMITS.modalTitle, plainOnly: true });
  if (view.submit !== undefined) textObject(p, view.submit, '/view/submit', { max: LIMITS.modalTitle, plainOnly: true });
  if (view.close !== undefined) textObject(p, view.close, '/view/close', { max: LIMITS.modalTitle, plainOnly: true });
  p.string(view.private_metadata, '/view/private_metadata', { max: LIMITS.privateMetadata });
  p.string(view.callback_id, '/view/callback_id', { max: LIMITS.callbackId });
  p.string(view.external_id, '/view/external_id', { max: LIMITS.callbackId });
  p.boolean(view.clear_on_close, '/view/clear_on_close');
  p.boolean(view.notify_on_close, '/view/notify_on_close');
  blockList(p, view.blocks, '/view/blocks', 'modal');
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
  if (hasInput && view.submit === undefined) p.add('/view', 'must provide submit when blocks contain input elements');
  return p.messages;
}

/** A Home tab view has no title, submit or close; only these properties (docs.slack.dev, "Home tab views"). */
const HOME_PROPS = ['type', 'blocks', 'private_metadata', 'callback_id', 'external_id'];

/** Problems with a Home tab view, as `views.publish` reports them with `invalid_arguments`. */
export function validateHomeView(view: unknown): string[] {
  const p = new Problems();
  if (!isRecord(view)) {
    p.add('/view', 'must be a view object');
    return p.messages;
  }
  if (view.type !== 'home') p.add('/view/type', 'must be home');
  p.onlyKnown(view, '/view', HOME_PROPS);
  p.string(view.private_metadata, '/view/private_metadata', { max: LIMITS.privateMetadata });
  p.string(view.callback_id, '/view/callback_id', { max: LIMITS.callbackId });
  p.string(view.external_id, '/view/external_id', { max: LIMITS.callbackId });
  blockList(p, view.blocks, '/view/blocks', 'home');
  return p.messages;
}

export type MessageMethod = 'chat.postMessage' | 'chat.update' | 'chat.postEphemeral';

/** Checks a message's `text` and `blocks` in Slack's order; undefined when Slack would accept it. */
export function validateMessage(message: { text?: unknown; blocks?: unknown; attachments?: unknown }, method: MessageMethod): MessageProblem | undefined {
  const { text, blocks } = message;
  if (text !== undefined && typeof text !== 'string') return { error: 'invalid_arguments', messages: ['[ERROR] must be a string [json-pointer:/text]'] };
  const maxText = method === 'chat.update' ? LIMITS.updateText : LIMITS.messageText;
  if (text !== undefined && text.length > maxText) return { error: 'msg_too_long', messages: [] };
  if (blocks === undefined) {
    return (text ?? '').length > 0 || message.attachments !== undefined ? undefined : { error: 'no_text', messages: [] };
  }
  // A value that did not decode as JSON, or is not a list, is a format error rather than a block error.
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', messages: [] };
  if (blocks.length === 0 && !text && message.attachments === undefined) return { error: 'no_text', messages: [] };
  const messages = validateBlocks(blocks, 'message');
  if (messages.length > 0) return { error: 'invalid_blocks', messages };
  if (blocksTextLength(blocks) > LIMITS.blocksTextTotal) return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

/** Total length of every `text` string inside the blocks: what `msg_blocks_too_long` measures. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + blocksTextLength(v), 0);
  if (!isRecord(value)) return 0;
  let total = 0;
  for (const [key, v] of Object.entries(value)) total += key === 'text' && typeof v === 'string' ? v.length : blocksTextLength(v);
  return total;
}
