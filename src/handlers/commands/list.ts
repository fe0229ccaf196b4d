// `/spconn list [target]`: the instance's connections, paged (Show more).
import { listConnections } from '../../atlas/streams.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { connectionListBlocks } from '../../modals/listings.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function listCommand(call: CommandCall, named: string | undefined): Promise<void> {
  const target = await targetOrRefuse(call, named, 'list <target>');
  if (!target) return;
  await call.afterAck(`Looking up the connections of ${escapeMrkdwn(target.name)}…`, async () => {
    const connections = await listConnections(call.ctx.atlas.for(target), target);
    await call.reply(`${connections.length} connections in ${target.instance}`, connectionListBlocks(target, connections, 0));
  });
}
