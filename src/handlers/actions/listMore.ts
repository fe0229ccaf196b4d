// "Show more" under a long `/spconn list`: the next page, as another ephemeral message.
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { listConnections } from '../../atlas/streams.js';
import { isSpconnError } from '../../errors.js';
import { connectionListBlocks } from '../../modals/listings.js';
import { targetsFor } from '../../management/targets.js';
import type { HandlerContext } from '../context.js';
import { actionChannel, blockActionSchema, safeJson } from '../payloads.js';

const moreSchema = z.object({ target: z.string(), offset: z.number().int().min(0) });

export function listMoreClicked(ctx: HandlerContext) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const click = blockActionSchema.parse(body);
    const channel = actionChannel(click);
    const more = moreSchema.safeParse(safeJson(click.actions[0]?.value ?? ''));
    if (!channel || !more.success) return;
    // Authorised again from the channel, not from what the button says.
    const target = targetsFor(ctx.config, channel).find((t) => t.name === more.data.target);
    if (!target) return;
    let text: string;
    let blocks;
    try {
      const connections = await listConnections(ctx.atlas.for(target), target);
      text = `${connections.length} connections in ${target.instance}`;
      blocks = connectionListBlocks(target, connections, more.data.offset);
    } catch (err) {
      text = isSpconnError(err) ? err.userMessage : 'Something went wrong; an operator can find it in the logs.';
    }
    await client.chat.postEphemeral({ channel, user: click.user.id, text, ...(blocks ? { blocks } : {}) }).catch((err: unknown) => ctx.logger.error({ err }, 'chat.postEphemeral failed'));
  };
}
