// The message posted when a connection was changed outside spconn (README, "Drift"). Pure: every
// word that came from Atlas or a person is escaped here, where it enters mrkdwn.
import { escapeMrkdwn } from './blocks.js';

export type DriftActor = { kind: 'user'; username: string } | { kind: 'key'; publicKey: string } | { kind: 'unknown' };

export interface DriftChange {
  action: 'created' | 'updated' | 'deleted';
  /** Undefined when Atlas did not name the connection. */
  connectionName: string | undefined;
  instance: string | undefined;
  actor: DriftActor;
  /** When Atlas says the change happened. */
  at: Date;
  targetName: string;
  eventId: string;
}

/** Inline code that a backtick in the text cannot end early. */
const code = (text: string) => `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;

function who(actor: DriftActor): string {
  switch (actor.kind) {
    case 'user':
      return `*${escapeMrkdwn(actor.username.replace(/\*/g, ''))}* (Atlas user)`;
    case 'key':
      return `API key or service account ${code(actor.publicKey)}`;
    case 'unknown':
      return 'someone Atlas did not name';
  }
}

/** One change, one message: who, what, when. */
export function driftAlertText(change: DriftChange): string {
  const what = change.connectionName === undefined ? 'a connection (Atlas did not say which)' : `connection ${code(change.connectionName)}`;
  const where = change.instance === undefined ? '' : ` (instance ${code(change.instance)})`;
  const seconds = Math.floor(change.at.getTime() / 1000);
  const when = `<!date^${seconds}^{date_short_pretty} {time_secs}|${change.at.toISOString()}>`;
  return `:warning: Drift in *${escapeMrkdwn(change.targetName)}*: ${what}${where} was *${change.action}* outside spconn by ${who(change.actor)} at ${when}. (Atlas event ${code(change.eventId)})`;
}
