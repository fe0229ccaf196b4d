// `/spconn status`: the caller's open requests, one line each with a link to its card.
import type { ListedRequest } from '../store/requestStore.js';
import { escapeMrkdwn } from './blocks.js';

export function openRequestsText(rows: readonly ListedRequest[], teamDomain: string, askedFor?: string): string {
  if (rows.length === 0) return askedFor ? `You have no open request \`${escapeMrkdwn(askedFor.slice(0, 20))}\`.` : 'You have no open requests.';
  const domain = /^[a-z0-9-]{1,63}$/.test(teamDomain) ? teamDomain : '';
  const lines = rows.map((r) => {
    const card = r.message_ts && domain ? ` · <https://${domain}.slack.com/archives/${r.channel_id}/p${r.message_ts.replace('.', '')}|card>` : ` in <#${r.channel_id}>`;
    return `• \`${r.id}\` ${r.action} \`${escapeMrkdwn(r.connection_name)}\` in *${escapeMrkdwn(r.target_name)}*: ${r.state}${card}`;
  });
  return `Your open requests:\n${lines.join('\n')}`;
}
