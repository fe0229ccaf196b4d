// What the property tests of the connection forms share: the values Slack sends for each kind of
// element, and the checks every form must pass whatever it was sent.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ConnectionType, FieldErrors } from '../../src/connections/types.js';
import type { ViewStateValues } from '../../src/modals/viewState.js';

/**
 * Any string, of code units, graphemes or bytes, or one of the values that broke forms before
 * (empty, blank, huge, a script URL) and the file's own `cases`.
 */
export const hostileText = (...cases: string[]): fc.Arbitrary<string> =>
  fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', ' ', 'x'.repeat(10_000), 'javascript:alert(1)', ...cases));

/** A text input's value in `view.state.values`. */
export const text = (value: string | null) => ({ type: 'plain_text_input', value });
/** A menu's choice (static_select, external_select, radio_buttons) in `view.state.values`. */
export const chosen = (type: string, value: string | null) => ({ type, selected_option: value === null ? null : { value } });
export const select = (value: string | null) => chosen('static_select', value);
export const external = (value: string | null) => chosen('external_select', value);

/** The block ids of a type's form: the only places its errors may point at. */
export function ownBlocks(type: ConnectionType<unknown>): Set<string | undefined> {
  return new Set(type.formBlocks().map((b) => (b as { block_id?: string }).block_id));
}

/** A refused form names at least one of its own blocks, each with a sentence a person can act on. */
export function expectFieldErrors(own: Set<string | undefined>, errors: FieldErrors): void {
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const [block, message] of Object.entries(errors)) {
    expect(own.has(block)).toBe(true);
    expect(message.length).toBeGreaterThan(10);
    expect(message.length).toBeLessThan(400);
  }
}

/** The card's summary of an accepted form shows none of its secrets (long enough to find). */
export function expectSecretsMasked<Form>(type: ConnectionType<Form>, form: Form): void {
  for (const secret of type.secretValues(form)) {
    if (secret.length >= 12) expect(JSON.stringify(type.summary(form))).not.toContain(secret);
  }
}

/**
 * `numRuns` drawn forms through `type.parseForm`: a refused one must carry precise errors on the
 * type's own blocks (`expectFieldErrors`); an accepted one goes to `accepted` for the file's own
 * checks. Returns how many went each way, so a test can tell both paths were exercised.
 */
export async function checkEveryForm<Form>(
  type: ConnectionType<Form>,
  forms: fc.Arbitrary<ViewStateValues>,
  numRuns: number,
  accepted: (form: Form, own: Set<string | undefined>) => void | Promise<void>,
): Promise<{ accepted: number; refused: number }> {
  const outcomes = { accepted: 0, refused: 0 };
  const own = ownBlocks(type as ConnectionType<unknown>);
  await fc.assert(
    fc.asyncProperty(forms, async (values) => {
      const result = type.parseForm(values);
      if (!result.ok) {
        outcomes.refused++;
        expectFieldErrors(own, result.errors);
        return;
      }
      outcomes.accepted++;
      await accepted(result.value, own);
    }),
    { numRuns },
  );
  return outcomes;
}
