// `/spconn show <name> [target]`: one connection's details, secrets masked.
import { escapeMrkdwn } from '../../modals/blocks.js';
import { connectionDetailBlocks } from '../../modals/listings.js';
import { secretRefBlocks } from '../../modals/secretRefs.js';
import { namedConnection } from './connection.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function showCommand(call: CommandCall, name: string, named: string | undefined): Promise<void> {
  const target = await targetOrRefuse(call, named, `show ${name} <target>`);
  if (!target) return;
  await call.afterAck(`Looking up \`${escapeMrkdwn(name)}\` in ${escapeMrkdwn(target.name)}…`, async () => {
    const connection = await namedConnection(call, target, name);
    if (!connection) return;
    // Which secret fields come from which Secrets Manager reference (as spconn last wrote them).
    const refs = await call.ctx.requests.connectionRefs.forConnection(target.name, connection.name);
    await call.reply(`Connection ${connection.name}`, [...connectionDetailBlocks(target, connection), ...secretRefBlocks(refs)]);
  });
}
