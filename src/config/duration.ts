// Human durations in config ("90s", "15m", "24h", "7d") as milliseconds.
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const durationSchema = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as "500ms", "90s", "15m", "24h" or "7d"')
  .transform((text) => {
    const [, amount = '0', unit = 's'] = /^(\d+)(ms|s|m|h|d)$/.exec(text) ?? [];
    return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  })
  .refine((ms) => ms > 0, 'a duration greater than zero');
