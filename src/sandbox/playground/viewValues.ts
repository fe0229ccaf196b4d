// What the page may say about a modal's inputs, checked against the view the app actually opened:
// the page sends `view.state.values` as it saw them, and only what fits the view's own elements
// goes on to the app, shaped as Slack shapes it (option texts come from the view, not the page).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ElementState, SelectedOption, ViewStateValues } from '../slack/driver.js';

const plainText = z.object({ type: z.literal('plain_text'), text: z.string().max(2000), emoji: z.boolean().optional() });
const optionSchema = z.object({ text: plainText, value: z.string().max(2000) });

/** One element's state as the page reports it. */
export const pageElementStateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('plain_text_input'), value: z.string().max(3000).nullable() }),
  z.object({ type: z.enum(['static_select', 'external_select', 'radio_buttons']), selected_option: optionSchema.nullable() }),
  z.object({ type: z.literal('checkboxes'), selected_options: z.array(optionSchema).max(10) }),
]);

export const pageValuesSchema = z.record(z.string().max(255), z.record(z.string().max(255), pageElementStateSchema));
export type PageValues = z.infer<typeof pageValuesSchema>;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Slack gives a block without a block_id one of its own; the playground numbers them the same way everywhere. */
export function blockIdOf(block: Json, index: number): string {
  return typeof block.block_id === 'string' && block.block_id !== '' ? block.block_id : `block_${index}`;
}

/** The view's blocks with every block_id filled in, as Slack returns a stored view. */
export function blocksWithIds(blocks: unknown): Json[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.filter(isRecord).map((block, index) => ({ ...block, block_id: blockIdOf(block, index) }));
}

function optionsOf(element: Json): SelectedOption[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups) ? element.option_groups.flatMap((g) => (isRecord(g) && Array.isArray(g.options) ? g.options : [])) : [];
  return [...direct, ...grouped].filter((o): o is SelectedOption => isRecord(o) && typeof o.value === 'string' && isRecord(o.text));
}

const asOption = (o: SelectedOption): SelectedOption => ({ text: { type: 'plain_text', text: String(o.text.text), ...(o.text.emoji !== undefined ? { emoji: o.text.emoji } : {}) }, value: o.value });

/** The state Slack would send for each input element of the view, taken from what the page reported. */
export function stateForView(blocks: unknown, page: PageValues): ViewStateValues {
  const values: ViewStateValues = {};
  for (const block of blocksWithIds(blocks)) {
    if (block.type !== 'input' || !isRecord(block.element)) continue;
    const element = block.element;
    const blockId = String(block.block_id);
    const actionId = typeof element.action_id === 'string' ? element.action_id : `${blockId}_action`;
    const given = page[blockId]?.[actionId];
    const entry = elementState(element, given);
    if (entry) values[blockId] = { [actionId]: entry };
  }
  return values;
}

function elementState(element: Json, given: z.infer<typeof pageElementStateSchema> | undefined): ElementState | undefined {
  const type = String(element.type);
  switch (type) {
    case 'plain_text_input': {
      const value = given?.type === 'plain_text_input' ? given.value : null;
      return { type, value: value === '' ? null : value };
    }
    case 'static_select':
    case 'radio_buttons': {
      const wanted = given && 'selected_option' in given ? given.selected_option?.value : undefined;
      const match = optionsOf(element).find((o) => o.value === wanted);
      return { type, selected_option: match ? asOption(match) : null };
    }
    case 'external_select': {
      // Its options came from the app's own block_suggestion answer; the page can only pass one back.
      const picked = given?.type === 'external_select' ? given.selected_option : null;
      return { type, selected_option: picked ?? null };
    }
    case 'checkboxes': {
      const wanted = new Set(given?.type === 'checkboxes' ? given.selected_options.map((o) => o.value) : []);
      return { type, selected_options: optionsOf(element).filter((o) => wanted.has(o.value)).map(asOption) };
    }
    default:
      return undefined;
  }
}

/** Finds the element with this block and action id (input or actions block). */
export function findElement(blocks: unknown, blockId: string, actionId: string): Json | undefined {
  for (const block of blocksWithIds(blocks)) {
    if (block.block_id !== blockId) continue;
    if (block.type === 'input' && isRecord(block.element) && block.element.action_id === actionId) return block.element;
    if (block.type === 'actions' && Array.isArray(block.elements)) return block.elements.filter(isRecord).find((e) => e.action_id === actionId);
  }
  return undefined;
}

/** A one-way fingerprint of something a person typed, so it can be recognised without being kept. */
export const fingerprint = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Fingerprints of every text the page sent for a view's inputs. */
export function typedFingerprints(values: ViewStateValues): string[] {
  return Object.values(values)
    .flatMap((actions) => Object.values(actions))
    .flatMap((entry) => (entry.type === 'plain_text_input' && typeof entry.value === 'string' ? [fingerprint(entry.value)] : []));
}

/**
 * The view's blocks for the page, without any `initial_value` that is something the person typed
 * (the app puts typed values back when it rebuilds a form, secrets included): the page keeps what
 * is in its inputs, as Slack does, so nothing typed travels back to the browser.
 */
export function blocksForPage(blocks: unknown, typed: ReadonlySet<string>): Json[] {
  return blocksWithIds(blocks).map((block) => {
    if (block.type !== 'input' || !isRecord(block.element)) return block;
    const element = block.element;
    if (element.type !== 'plain_text_input' || typeof element.initial_value !== 'string' || !typed.has(fingerprint(element.initial_value))) return block;
    const { initial_value: _typed, ...rest } = element;
    return { ...block, element: { ...rest, typed_value_kept: true } };
  });
}
