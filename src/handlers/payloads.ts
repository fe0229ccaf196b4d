// Schemas of the Slack payloads the handlers read: only the fields used, the rest passes through.
import { z } from 'zod';
import { viewStateValuesSchema } from '../modals/viewState.js';

export const slashCommandSchema = z.looseObject({
  user_id: z.string(),
  team_domain: z.string().default(''),
  channel_id: z.string(),
  text: z.string().default(''),
  trigger_id: z.string(),
});

export type SlashCommand = z.infer<typeof slashCommandSchema>;

export const blockActionSchema = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string() }).optional(),
  container: z.looseObject({ channel_id: z.string().optional() }).optional(),
  trigger_id: z.string(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});
export type BlockAction = z.infer<typeof blockActionSchema>;

export const viewSubmissionSchema = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  view: z.looseObject({
    id: z.string(),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.looseObject({ values: viewStateValuesSchema }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

/** An interaction inside an open modal (a menu picked): the view to update and what it holds now. */
export const viewActionSchema = z.looseObject({
  view: z.looseObject({
    id: z.string(),
    hash: z.string(),
    private_metadata: z.string().default(''),
    state: z.looseObject({ values: viewStateValuesSchema }).default({ values: {} }),
  }),
});

/** The channel a block action happened in, wherever Slack put it. */
export function actionChannel(body: BlockAction): string | undefined {
  return body.channel?.id ?? body.container?.channel_id;
}

/** JSON.parse that answers undefined instead of throwing (private_metadata, button values). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
