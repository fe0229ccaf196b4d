// Usage text for `/spconn help` and anything spconn does not understand.
import { CONNECTION_TYPES } from '../connections/index.js';

export function helpText(unknown?: string): string {
  const types = CONNECTION_TYPES.map((t) => t.id).join(' · ');
  return [
    unknown ? `I don't know \`${unknown.slice(0, 50)}\`. Here is what I can do:` : '*spconn* creates Atlas Stream Processing connections, with an owner’s approval.',
    `• \`/spconn create <type>\` — open the form for a new connection (types: ${types})`,
    '• `/spconn status` — your open requests and where they are',
    '• `/spconn help` — this message',
    'Example: `/spconn create https`',
  ].join('\n');
}
