// What every connection type provides: its form, how the form becomes an Atlas body, and how
// the request card shows it. A new type is one file beside this plus a line in index.ts.
import type { AnyBlock } from '../modals/blocks.js';
import type { ViewStateValues } from '../modals/viewState.js';

/** Inline modal errors keyed by block id, as `response_action: "errors"` wants them. */
export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The body of `POST …/streams/{instance}/connections`. */
export type AtlasConnectionBody = { name: string; type: string } & Record<string, unknown>;

export interface ConnectionType<Form> {
  /** The word used in `/spconn create <id>`. */
  id: string;
  label: string;
  /** The modal blocks of this type's own fields (target and name are common). */
  formBlocks(): AnyBlock[];
  parseForm(values: ViewStateValues): FormResult<Form>;
  atlasBody(name: string, form: Form): AtlasConnectionBody;
  /** Every secret value in the form: masked on the card, sealed at rest, scrubbed from errors. */
  secretValues(form: Form): string[];
  /** Label → display text for the request card; secrets already masked. */
  summary(form: Form): Array<[string, string]>;
  /** Things the requester should know about this type, shown in the form and on the card. */
  notes?: string;
}

/** `••••` plus at most the last two characters, and only when the value is long enough to spare them. */
export function maskSecret(value: string): string {
  return value.length >= 8 ? `••••${value.slice(-2)}` : '••••';
}
