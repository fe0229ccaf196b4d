// What a request shows besides its row (the masked summary on its card, how it ended), and
// reading a request that must exist.
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';

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

/** The request with this id; a person who names one that does not exist is told so. */
export async function loadRequest(store: RequestStore, requestId: string): Promise<RequestRow> {
  const row = await store.get(requestId);
  if (!row) throw new SpconnError('REQUEST_NOT_FOUND', `Request ${requestId.slice(0, 20)} does not exist.`);
  return row;
}
