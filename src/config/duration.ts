// Human durations in config ("90s", "15m", "24h", "7d") as milliseconds.
import { z } from 'zod';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const durationSchema = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'a duration such as "90s", "15m", "24h" or "7d"')
  .transform((text) => {
    const unit = text.slice(-1) as keyof typeof UNIT_MS;
    return Number(text.slice(0, -1)) * UNIT_MS[unit];
  })
  .refine((ms) => ms > 0, 'a duration greater than zero');
