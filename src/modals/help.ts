// Usage text for `/spconn help` and anything spconn does not understand.
import { CONNECTION_TYPES } from '../connections/index.js';
import { escapeMrkdwn } from './blocks.js';

export function helpText(problem?: string): string {
  const types = CONNECTION_TYPES.map((t) => t.id).join(' · ');
  return [
    problem ? `${escapeMrkdwn(problem)} Here is what I can do:` : '*spconn* creates Atlas Stream Processing connections, with an owner’s approval.',
    `• \`/spconn create [type]\` — open the form for a new connection (types: ${types})`,
    '• `/spconn list [target]` — the connections of a target’s instance',
    '• `/spconn show <name> [target]` — one connection in full, secrets masked',
    '• `/spconn edit <name> [target]` — change a connection (only the changed fields are sent; a new type or networking replaces it), with an owner’s approval',
    '• `/spconn rotate <name> [target]` — read a connection’s `secretsmanager:` secrets again and send them to Atlas, with an owner’s approval (none with `rotation: auto`)',
    '• `/spconn delete <name> [target]` — ask an owner to approve deleting a connection',
    '• `/spconn privatelinks [target]` — the project’s Private Link connections and their state',
    '• `/spconn status` — your open requests, with links to their cards',
    '• `/spconn audit [target] [days]` — for owners: recent requests, who asked and approved, what was sent (masked), the outcome',
    '• `/spconn help` — this message',
    'Examples: `/spconn create https` · `/spconn list prod` · `/spconn show orders-api prod`',
  ].join('\n');
}
