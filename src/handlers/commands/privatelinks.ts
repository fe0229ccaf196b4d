// `/spconn privatelinks [target]`: the project's Private Link connections and their state.
import { listPrivateLinks } from '../../atlas/privateLinks.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { privateLinkBlocks } from '../../modals/listings.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function privateLinksCommand(call: CommandCall, named: string | undefined): Promise<void> {
  const target = await targetOrRefuse(call, named, 'privatelinks <target>');
  if (!target) return;
  await call.afterAck(`Looking up the Private Link connections of ${escapeMrkdwn(target.name)}…`, async () => {
    const links = await listPrivateLinks(call.ctx.atlas.for(target), target.projectId);
    await call.reply(`${links.length} Private Link connections`, privateLinkBlocks(target, links));
  });
}
