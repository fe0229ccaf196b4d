// `/spconn delete <name> [target]`: asks the owners like a create; the card shows what goes.
import { connectionTypeForAtlas } from '../../connections/index.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { namedConnection } from './connection.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function deleteCommand(call: CommandCall, name: string, named: string | undefined): Promise<void> {
  const target = await targetOrRefuse(call, named, `delete ${name} <target>`);
  if (!target) return;
  await call.afterAck(`Looking up \`${escapeMrkdwn(name)}\` in ${escapeMrkdwn(target.name)}…`, async () => {
    const connection = await namedConnection(call, target, name);
    if (!connection) return;
    const type = connectionTypeForAtlas(connection.type);
    await call.ctx.requests.submit({
      target,
      requesterId: call.slash.user_id,
      channelId: call.slash.channel_id,
      call: { kind: 'delete', at: { projectId: target.projectId, instance: target.instance }, name: connection.name },
      summary: {
        typeLabel: type?.label ?? connection.type,
        projectId: target.projectId,
        instance: target.instance,
        fields: type?.describe(connection) ?? [],
        notes: 'Pipelines that use this connection stop working; Atlas refuses to delete a connection a running processor uses.',
      },
    });
  });
}
