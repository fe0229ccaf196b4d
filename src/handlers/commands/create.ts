// `/spconn create [type]`: the form opens at once (the trigger_id dies in 3 s); nothing slow first.
import { connectionType, CONNECTION_TYPES } from '../../connections/index.js';
import { currentRequestId } from '../../logContext.js';
import { targetsFor } from '../../management/targets.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { createModal } from '../../modals/createModal.js';
import type { CommandCall } from './reply.js';

export async function createCommand({ ctx, slash, ack, reply }: CommandCall, typeWord: string | undefined): Promise<void> {
  const type = typeWord ? connectionType(typeWord) : undefined;
  if (typeWord && !type) {
    const known = CONNECTION_TYPES.map((t) => `\`/spconn create ${t.id}\``).join(', ');
    await ack({ response_type: 'ephemeral', text: `There is no connection type \`${escapeMrkdwn(typeWord.slice(0, 30))}\`. Try ${known}.` });
    return;
  }
  const allowed = targetsFor(ctx.config, slash.channel_id);
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
}
