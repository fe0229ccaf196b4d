// The one hook that lets every secret field of every connection type take a `secretsmanager:`
// reference: given a parsed form's secret values, it finds the references, reads each (fresh, with
// the read deadline, inside the ack budget) and returns inline errors on the field that holds a bad
// one. The reference, not the value, goes into the sealed call.
import type { FieldErrors } from '../connections/types.js';
import type { ViewStateValues } from '../modals/viewState.js';
import { isSecretReference, parseSecretReference, referenceFieldError, type ReadResult } from '../secrets/references.js';
import { withinAckBudget } from './ackBudget.js';
import type { HandlerContext } from './context.js';

export interface ReferenceCheck {
  /** Inline errors by block id (empty when every reference is readable, or could not be checked in time). */
  errors: FieldErrors;
  /** The references among the secret values, exactly as the body holds them. */
  refs: string[];
  /** The secret values that are real values (references are not secrets: the card shows them). */
  values: string[];
}

/** The block of the form holding `text` (exactly, or as a line of a multi-line field such as HTTPS headers). */
export function blockHolding(values: ViewStateValues, text: string): string | undefined {
  const needle = text.trim();
  let partial: string | undefined;
  for (const [blockId, actions] of Object.entries(values)) {
    for (const element of Object.values(actions)) {
      const value = element.value ?? '';
      if (value.trim() === needle) return blockId;
      if (partial === undefined && value.includes(needle)) partial = blockId;
    }
  }
  return partial;
}

export async function checkSecretReferences(ctx: HandlerContext, values: ViewStateValues, secretValues: readonly string[], fallbackBlock: string): Promise<ReferenceCheck> {
  const errors: FieldErrors = {};
  const refs = [...new Set(secretValues.filter(isSecretReference))];
  const plain = secretValues.filter((v) => !isSecretReference(v));
  const checks = refs.map(async (raw) => {
    const block = blockHolding(values, raw) ?? fallbackBlock;
    const parsed = parseSecretReference(raw);
    if (!parsed.ok) {
      errors[block] ??= parsed.error;
      return;
    }
    // Slower than the ack budget: left to execution, which reads it again anyway and names it if unreadable.
    const result: ReadResult | undefined = await withinAckBudget(ctx, () => ctx.secretRefs.read(parsed.ref));
    if (result && !result.ok) errors[block] ??= referenceFieldError(parsed.ref, result);
  });
  await Promise.all(checks);
  return { errors, refs, values: plain };
}
