// `/spconn audit`: an owner's view of recent requests. Pure Block Kit within Slack's message
// limits (50 blocks, about 13k characters); every value shown was masked when the request was made.
import { escapeMrkdwn, truncate, type AnyBlock } from './blocks.js';
import { mentionOf } from './mention.js';

export interface AuditEntry {
  id: string;
  createdAt: string;
  action: string;
  typeLabel: string;
  connectionName: string;
  target: string;
  requesterId: string;
  state: string;
  /** Who approved, rejected or cancelled it, and the reason given, if any. */
  decision?: { verb: 'approved' | 'rejected' | 'cancelled'; by: string; note?: string };
  /** What was sent (or would have been), secrets masked. */
  fields: Array<[string, string]>;
  outcome?: string;
}

export interface AuditReport {
  targets: string[];
  days: number;
  entries: AuditEntry[];
  /** All requests in the period, of which `entries` are the newest. */
  total: number;
}

/** Each entry is two blocks; 15 of them stay well inside the message limits. */
export const AUDIT_LIMIT = 15;

const STATE_ICON: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rejected: ':no_entry_sign:',
  expired: ':hourglass:',
  cancelled: ':heavy_multiplication_x:',
};

function when(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${epoch}^{date_short_pretty} {time}|${iso}>`;
}

function entryBlocks(e: AuditEntry): AnyBlock[] {
  const decision = e.decision
    ? ` · ${e.decision.verb} by ${mentionOf(e.decision.by)}${e.decision.note ? `: “${escapeMrkdwn(truncate(e.decision.note, 200))}”` : ''}`
    : '';
  const lines = [
    `${STATE_ICON[e.state] ?? ':large_blue_circle:'} *${escapeMrkdwn(e.action)}* ${escapeMrkdwn(e.typeLabel)} \`${escapeMrkdwn(e.connectionName)}\` in *${escapeMrkdwn(e.target)}* · ${e.state} · \`${e.id}\``,
    `${when(e.createdAt)} · asked by ${mentionOf(e.requesterId)}${decision}`,
  ];
  if (e.outcome) lines.push(`Outcome: ${escapeMrkdwn(truncate(e.outcome, 300))}`);
  const sent = e.fields.map(([label, value]) => `${escapeMrkdwn(label)}: ${value.replace(/\n/g, ' ')}`).join(' · ');
  return [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 700) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(sent || 'Nothing but the name was sent.', 400) }] },
  ];
}

export function auditBlocks(report: AuditReport): AnyBlock[] {
  const scope = `${report.targets.map((t) => `*${escapeMrkdwn(t)}*`).join(', ')} · last ${report.days} day${report.days === 1 ? '' : 's'}`;
  const head =
    report.total === 0
      ? `No requests on ${scope}.`
      : `*${report.total}* request${report.total === 1 ? '' : 's'} on ${scope}` +
        (report.total > report.entries.length ? `; the newest ${report.entries.length} below` : '');
  const blocks: AnyBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(head, 2000) } }];
  for (const entry of report.entries) blocks.push({ type: 'divider' }, ...entryBlocks(entry));
  if (report.total > report.entries.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Narrow it with `/spconn audit <target> <days>`.' }] });
  }
  return blocks;
}

export function auditText(report: AuditReport): string {
  return `${report.total} requests on ${report.targets.join(', ')} in the last ${report.days} days`;
}
