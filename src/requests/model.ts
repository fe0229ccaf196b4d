// What a request shows besides its row: the masked summary on its card, and how it ended.
import { z } from 'zod';

export const requestSummarySchema = z.object({
  typeLabel: z.string(),
  projectId: z.string(),
  instance: z.string(),
  /** Label → mrkdwn, secrets already masked. */
  fields: z.array(z.tuple([z.string(), z.string()])),
  notes: z.string().optional(),
});
export type RequestSummary = z.infer<typeof requestSummarySchema>;

export const outcomeSchema = z.object({
  message: z.string(),
  state: z.string().optional(),
});
export type Outcome = z.infer<typeof outcomeSchema>;
