// The `view.state.values` of a submitted modal, parsed, with readers for each element kind.
import { z } from 'zod';

const optionSchema = z.looseObject({ value: z.string() });

export const elementStateSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullable().optional(),
  selected_option: optionSchema.nullable().optional(),
  selected_options: z.array(optionSchema).optional(),
});

export const viewStateValuesSchema = z.record(z.string(), z.record(z.string(), elementStateSchema));
export type ViewStateValues = z.infer<typeof viewStateValuesSchema>;

/** A text input's value, trimmed; '' when empty or absent. */
export function textValue(values: ViewStateValues, blockId: string, actionId: string): string {
  return values[blockId]?.[actionId]?.value?.trim() ?? '';
}

/** A text input's value exactly as typed (for secrets, where spaces may matter). */
export function rawTextValue(values: ViewStateValues, blockId: string, actionId: string): string {
  return values[blockId]?.[actionId]?.value ?? '';
}

export function selectedValue(values: ViewStateValues, blockId: string, actionId: string): string | undefined {
  return values[blockId]?.[actionId]?.selected_option?.value;
}

/** A text input's state as Slack submits it (for forms filled in from Atlas). */
export const textState = (value: string): ViewStateValues[string][string] => ({ type: 'plain_text_input', value });

/** A select's state as Slack submits it; `type` is the element's type. */
export const selectState = (value: string, type: 'static_select' | 'external_select' = 'static_select'): ViewStateValues[string][string] => ({
  type,
  selected_option: { value, text: { type: 'plain_text', text: value.length > 75 ? `…${value.slice(-74)}` : value } },
});
