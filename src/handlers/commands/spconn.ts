// `/spconn …`: opens forms at once (the trigger_id dies in 3 s); anything that needs Atlas is
// acked first and answered with an ephemeral message when Atlas has answered.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { listPrivateLinks } from '../../atlas/privateLinks.js';
import { getConnection, listConnections } from '../../atlas/streams.js';
import { connectionType, connectionTypeForAtlas, CONNECTION_TYPES } from '../../connections/index.js';
import { isSpconnError } from '../../errors.js';
import { chooseTarget } from '../../management/targets.js';
import { currentRequestId } from '../../logContext.js';
import { escapeMrkdwn, type AnyBlock } from '../../modals/blocks.js';
import { auditBlocks, auditText } from '../../modals/audit.js';
import { createModal } from '../../modals/createModal.js';
import { helpText } from '../../modals/help.js';
import { connectionDetailBlocks, connectionListBlocks, privateLinkBlocks } from '../../modals/listings.js';
import type { HandlerContext } from '../context.js';
import { slashCommandSchema } from '../payloads.js';
import { parseCommand } from './parse.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function spconnCommand(ctx: HandlerContext) {
  return async ({ ack, body, client }: CommandArgs): Promise<void> => {
    const slash = slashCommandSchema.parse(body);
    const command = parseCommand(slash.text);
    const allowed = ctx.requests.targetsFor(slash.channel_id);
    const reply = async (text: string, blocks?: AnyBlock[]) => {
      await client.chat
        .postEphemeral({ channel: slash.channel_id, user: slash.user_id, text, ...(blocks ? { blocks } : {}) })
        .catch((err: unknown) => ctx.logger.error({ err }, 'chat.postEphemeral failed'));
    };
    /** Runs an Atlas look-up after the ack and reports its failure in words. */
    const afterAck = async (ackText: string, work: () => Promise<void>) => {
      await ack({ response_type: 'ephemeral', text: ackText });
      try {
        await work();
      } catch (err) {
        ctx.logger.warn({ err }, 'command failed');
        await reply(isSpconnError(err) ? err.userMessage : 'Something went wrong; an operator can find it in the logs.');
      }
    };

    switch (command.kind) {
      case 'create': {
        const type = command.type ? connectionType(command.type) : undefined;
        if (command.type && !type) {
          const known = CONNECTION_TYPES.map((t) => `\`/spconn create ${t.id}\``).join(', ');
          await ack({ response_type: 'ephemeral', text: `There is no connection type \`${escapeMrkdwn(command.type.slice(0, 30))}\`. Try ${known}.` });
          return;
        }
        if (allowed.length === 0) {
          await ack({ response_type: 'ephemeral', text: 'No spconn target may be used from this channel. Ask your platform team which channel to use.' });
          return;
        }
        await ack();
        try {
          await ctx.views.open(slash.trigger_id, createModal(type, allowed, { channelId: slash.channel_id, requestId: currentRequestId() }));
        } catch (err) {
          ctx.logger.error({ err }, 'views.open failed');
          await reply('Slack did not open the form in time. Please run the command again.');
        }
        return;
      }
      case 'list':
      case 'show':
      case 'delete':
      case 'privatelinks': {
        const form = command.kind === 'list' || command.kind === 'privatelinks' ? `${command.kind} <target>` : `${command.kind} ${command.name} <target>`;
        const choice = chooseTarget(allowed, ctx.config.targets, command.target, form);
        if (!choice.ok) {
          await ack({ response_type: 'ephemeral', text: choice.message });
          return;
        }
        const target = choice.target;
        const atlas = ctx.requests.atlasFor(target);
        if (command.kind === 'list') {
          await afterAck(`Looking up the connections of ${target.name}…`, async () => {
            const connections = await listConnections(atlas, target);
            await reply(`${connections.length} connections in ${target.instance}`, connectionListBlocks(target, connections, 0));
          });
        } else if (command.kind === 'privatelinks') {
          await afterAck(`Looking up the Private Link connections of ${target.name}…`, async () => {
            const links = await listPrivateLinks(atlas, target.projectId);
            await reply(`${links.length} Private Link connections`, privateLinkBlocks(target, links));
          });
        } else {
          const name = command.name;
          await afterAck(`Looking up \`${escapeMrkdwn(name)}\` in ${target.name}…`, async () => {
            const connection = /^[a-zA-Z0-9_-]{1,64}$/.test(name) ? await getConnection(atlas, target, name) : undefined;
            if (!connection) {
              await reply(`There is no connection \`${escapeMrkdwn(name)}\` in ${target.instance} (${target.name}). \`/spconn list ${target.name}\` shows what there is.`);
              return;
            }
            if (command.kind === 'show') {
              await reply(`Connection ${connection.name}`, connectionDetailBlocks(target, connection));
              return;
            }
            const type = connectionTypeForAtlas(connection.type);
            await ctx.requests.submitDelete({
              target,
              requesterId: slash.user_id,
              channelId: slash.channel_id,
              connectionName: connection.name,
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
        return;
      }
      case 'status': {
        await ack({ response_type: 'ephemeral', text: await ctx.requests.openRequests(slash.user_id, slash.team_domain, command.requestId) });
        return;
      }
      case 'audit': {
        await afterAck('Looking up the audit trail…', async () => {
          const report = await ctx.requests.audit(slash.user_id, command.target, command.days);
          await reply(auditText(report), auditBlocks(report));
        });
        return;
      }
      case 'help':
        await ack({ response_type: 'ephemeral', text: helpText() });
        return;
      case 'usage':
        await ack({ response_type: 'ephemeral', text: helpText(command.problem) });
        return;
    }
  };
}
