// What a request holds besides its row: the sealed Atlas call, and the masked summary the card shows.
import { z } from 'zod';
import { planSchema } from '../workflows/privateLinkMachine.js';

/** The exact Atlas call an approval authorises. Sealed at rest: the body carries secrets. */
export const storedCallSchema = z.object({
  /** PRIVATELINK: the Private Link workflow, which ends in a POST of `body` with the link's id. */
  method: z.enum(['POST', 'DELETE', 'PRIVATELINK']),
  path: z.string(),
  body: z.record(z.string(), z.unknown()).optional(),
  plan: planSchema.optional(),
  secretValues: z.array(z.string()),
});
export type StoredCall = z.infer<typeof storedCallSchema>;

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

/** The part of the digest shown on the card and carried by the Approve button. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}
