// `/spconn …`: opens forms at once (the trigger_id dies in 3 s) and answers the rest ephemerally.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { connectionType, CONNECTION_TYPES } from '../../connections/index.js';
import { createModal } from '../../modals/createModal.js';
import { helpText } from '../../modals/help.js';
import type { HandlerContext } from '../context.js';
import { slashCommandSchema } from '../payloads.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function spconnCommand(ctx: HandlerContext) {
  return async ({ ack, body, client }: CommandArgs): Promise<void> => {
    const command = slashCommandSchema.parse(body);
    const [sub = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);

    switch (sub.toLowerCase()) {
      case 'create': {
        const typeId = rest[0]?.toLowerCase();
        const type = typeId ? connectionType(typeId) : undefined;
        if (!type) {
          const known = CONNECTION_TYPES.map((t) => `\`/spconn create ${t.id}\``).join(', ');
          await ack({ response_type: 'ephemeral', text: typeId ? `There is no connection type \`${typeId.slice(0, 30)}\`. Try ${known}.` : `Which type? Try ${known}.` });
          return;
        }
        const targets = ctx.requests.targetsFor(command.channel_id);
        if (targets.length === 0) {
          await ack({ response_type: 'ephemeral', text: 'No spconn target may be used from this channel. Ask your platform team which channel to use.' });
          return;
        }
        await ack();
        try {
          await client.views.open({ trigger_id: command.trigger_id, view: createModal(type, targets, { type: type.id, channelId: command.channel_id }) });
        } catch (err) {
          ctx.logger.error({ err }, 'views.open failed');
          await client.chat
            .postEphemeral({ channel: command.channel_id, user: command.user_id, text: 'Slack did not open the form in time. Please run the command again.' })
            .catch((e: unknown) => ctx.logger.error({ err: e }, 'chat.postEphemeral failed'));
        }
        return;
      }
      case 'status': {
        const open = await ctx.requests.openRequests(command.user_id);
        await ack({ response_type: 'ephemeral', text: open });
        return;
      }
      case 'help':
        await ack({ response_type: 'ephemeral', text: helpText() });
        return;
      default:
        await ack({ response_type: 'ephemeral', text: helpText(sub) });
    }
  };
}
