// Ephemeral answers of list, show and privatelinks: pure Block Kit, secrets masked, within
// Slack's message limits (50 blocks, about 13k characters).
import type { Target } from '../config/file.js';
import { connectionTypeForAtlas } from '../connections/index.js';
import type { PrivateLink } from '../atlas/privateLinks.js';
import type { StreamsConnection } from '../atlas/streams.js';
import { escapeMrkdwn, plain, truncate, type AnyBlock } from './blocks.js';

export const LIST_ACTIONS = { more: 'list_more' } as const;
export const LIST_PAGE_SIZE = 20;

function describe(connection: StreamsConnection): Array<[string, string]> {
  return connectionTypeForAtlas(connection.type)?.describe(connection) ?? [];
}

const stateBadge = (state?: string) => (state ? ` · ${escapeMrkdwn(state)}` : '');

export function connectionListBlocks(target: Target, connections: StreamsConnection[], offset: number): AnyBlock[] {
  const page = connections.slice(offset, offset + LIST_PAGE_SIZE);
  const blocks: AnyBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          connections.length === 0
            ? `No connections in *${escapeMrkdwn(target.instance)}* (${escapeMrkdwn(target.name)}) yet. Create one with \`/spconn create\`.`
            : `*${connections.length}* connection${connections.length === 1 ? '' : 's'} in *${escapeMrkdwn(target.instance)}* (${escapeMrkdwn(target.name)})` +
              (connections.length > LIST_PAGE_SIZE ? `, ${offset + 1}–${offset + page.length} shown` : ''),
      },
    },
  ];
  for (const c of page) {
    const settings = describe(c)
      .slice(0, 2)
      .map(([label, text]) => `${label}: ${text.replace(/\n/g, ' ')}`)
      .join(' · ');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(c.name)}* · ${escapeMrkdwn(c.type)}${stateBadge(c.state)}\n${settings}`, 600) } });
  }
  if (offset + LIST_PAGE_SIZE < connections.length) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: LIST_ACTIONS.more, text: plain('Show more'), value: JSON.stringify({ target: target.name, offset: offset + LIST_PAGE_SIZE }) }],
    });
  }
  return blocks;
}

export function connectionDetailBlocks(target: Target, c: StreamsConnection): AnyBlock[] {
  const fields = [['Type', escapeMrkdwn(c.type)], ['State', escapeMrkdwn(c.state ?? 'unknown')], ...describe(c)] as Array<[string, string]>;
  return [
    { type: 'header', text: plain(truncate(c.name, 150)) },
    { type: 'section', fields: fields.slice(0, 10).map(([label, text]) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${text}`, 2000) })) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${escapeMrkdwn(target.instance)} in project \`${target.projectId}\` (${escapeMrkdwn(target.name)}) · secrets are masked` }] },
  ];
}

export function privateLinkBlocks(target: Target, links: readonly PrivateLink[]): AnyBlock[] {
  const blocks: AnyBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: links.length === 0 ? `No Private Link connections in project \`${target.projectId}\` (${escapeMrkdwn(target.name)}).` : `*${links.length}* Private Link connection${links.length === 1 ? '' : 's'} in project \`${target.projectId}\` (${escapeMrkdwn(target.name)})`,
      },
    },
  ];
  for (const l of links.slice(0, 40)) {
    const lines = [
      `\`${escapeMrkdwn(l._id)}\` · ${escapeMrkdwn(l.vendor ?? 'GENERIC')} on ${escapeMrkdwn(l.provider ?? '?')} ${escapeMrkdwn(l.region ?? '')} · *${escapeMrkdwn(l.state ?? 'requested')}*`,
      l.dnsDomain ? `DNS domain: ${escapeMrkdwn(l.dnsDomain)}` : undefined,
      l.serviceEndpointId ? `Service endpoint: \`${escapeMrkdwn(l.serviceEndpointId)}\`` : undefined,
      l.errorMessage ? `:warning: ${escapeMrkdwn(l.errorMessage)}` : undefined,
    ].filter(Boolean);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 1000) } });
  }
  if (links.length > 40) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${links.length - 40} more.` }] });
  return blocks;
}
