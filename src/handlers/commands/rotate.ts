// `/spconn rotate <name> [target]`: reads the connection's secrets by reference again and asks for
// the PATCH (src/rotation/rotations.ts); owners approve unless the target sets `rotation: auto`.
import { escapeMrkdwn } from '../../modals/blocks.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function rotateCommand(call: CommandCall, name: string, named: string | undefined): Promise<void> {
  const target = await targetOrRefuse(call, named, `rotate ${name} <target>`);
  if (!target) return;
  const shown = `\`${escapeMrkdwn(name)}\``;
  await call.afterAck(`Reading the secrets of ${shown} in ${escapeMrkdwn(target.name)} again…`, async () => {
    const outcome = await call.ctx.rotations.open({ target, name, requesterId: call.slash.user_id, channelId: call.slash.channel_id });
    switch (outcome.kind) {
      case 'no-references':
        return call.reply(
          `${shown} in ${escapeMrkdwn(target.name)} has no secrets by reference, so there is nothing to rotate. ` +
            `Give its secret fields as \`secretsmanager:<name or ARN>[#key]\` with \`/spconn edit ${escapeMrkdwn(name)} ${escapeMrkdwn(target.name)}\`; \`/spconn rotate\` then reads them again.`,
        );
      case 'gone':
        return call.reply(`There is no connection ${shown} in ${escapeMrkdwn(target.instance)} (${escapeMrkdwn(target.name)}). \`/spconn list ${escapeMrkdwn(target.name)}\` shows what there is.`);
      case 'already-open':
        return call.reply(`A rotation of ${shown} is already open (request \`${escapeMrkdwn(outcome.requestId)}\`); \`/spconn status ${escapeMrkdwn(outcome.requestId)}\` shows where it is.`);
      case 'refused':
        return call.reply(`spconn cannot rotate ${shown}: ${escapeMrkdwn(outcome.message)}`);
      case 'submitted':
        return;
    }
  });
}
