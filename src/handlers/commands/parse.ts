// `/spconn` text → a command. Pure, so hostile input can be tested without a server.
import { escapeMrkdwn } from '../../modals/blocks.js';

export type Command =
  | { kind: 'create'; type?: string }
  | { kind: 'list'; target?: string }
  | { kind: 'show'; name: string; target?: string }
  | { kind: 'delete'; name: string; target?: string }
  | { kind: 'edit'; name: string; target?: string }
  | { kind: 'rotate'; name: string; target?: string }
  | { kind: 'privatelinks'; target?: string }
  | { kind: 'status'; requestId?: string }
  | { kind: 'audit'; target?: string; days: number }
  | { kind: 'help' }
  | { kind: 'usage'; problem: string };

const MAX_WORD = 100;
export const AUDIT_DAYS = { default: 7, max: 90 } as const;

export function parseCommand(text: string): Command {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub = 'help', ...args] = words;
  if (args.some((w) => w.length > MAX_WORD)) return { kind: 'usage', problem: `Arguments are at most ${MAX_WORD} characters.` };
  const tooMany = (max: number, form: string): Command | undefined =>
    args.length > max ? { kind: 'usage', problem: `Too many words; the form is \`/spconn ${form}\`.` } : undefined;
  switch (sub.toLowerCase()) {
    case 'create':
      return tooMany(1, 'create [type]') ?? { kind: 'create', type: args[0]?.toLowerCase() };
    case 'list':
    case 'ls':
      return tooMany(1, 'list [target]') ?? { kind: 'list', target: args[0] };
    case 'show':
    case 'edit':
    case 'rotate':
    case 'delete': {
      const kind = sub.toLowerCase() as 'show' | 'edit' | 'rotate' | 'delete';
      if (args.length === 0) return { kind: 'usage', problem: `Which connection? The form is \`/spconn ${kind} <name> [target]\`.` };
      return tooMany(2, `${kind} <name> [target]`) ?? { kind, name: args[0]!, target: args[1] };
    }
    case 'privatelinks':
      return tooMany(1, 'privatelinks [target]') ?? { kind: 'privatelinks', target: args[0] };
    case 'status':
      return tooMany(1, 'status [request-id]') ?? { kind: 'status', requestId: args[0] };
    case 'audit':
      return tooMany(2, 'audit [target] [days]') ?? parseAudit(args);
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'usage', problem: `I don't know \`${escapeMrkdwn(sub.slice(0, 40))}\`.` };
  }
}

/** `audit [target] [days]`, in either order: a number is the days. */
function parseAudit(args: string[]): Command {
  const numbers = args.filter((w) => /^\d+$/.test(w));
  const words = args.filter((w) => !/^\d+$/.test(w));
  if (numbers.length > 1 || words.length > 1) return { kind: 'usage', problem: 'The form is `/spconn audit [target] [days]`.' };
  const days = numbers[0] === undefined ? AUDIT_DAYS.default : Number(numbers[0]);
  if (days < 1 || days > AUDIT_DAYS.max) return { kind: 'usage', problem: `Days are 1 to ${AUDIT_DAYS.max}.` };
  return { kind: 'audit', target: words[0], days };
}
