// How a subcommand answers: the ack, and ephemeral replies after it for anything that waits on Atlas.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { isSpconnError } from '../../errors.js';
import type { AnyBlock } from '../../modals/blocks.js';
import type { HandlerContext } from '../context.js';
import type { SlashCommand } from '../payloads.js';

export interface CommandCall {
  ctx: HandlerContext;
  slash: SlashCommand;
  ack: SlackCommandMiddlewareArgs['ack'];
  /** An ephemeral reply to the caller in the channel (failures are logged, never thrown). */
  reply(text: string, blocks?: AnyBlock[]): Promise<void>;
  /** Acks with `ackText`, runs `work`, and reports its failure in words. */
  afterAck(ackText: string, work: () => Promise<void>): Promise<void>;
}

export function commandCall(ctx: HandlerContext, slash: SlashCommand, args: SlackCommandMiddlewareArgs & AllMiddlewareArgs): CommandCall {
  const reply = async (text: string, blocks?: AnyBlock[]) => {
    await args.client.chat
      .postEphemeral({ channel: slash.channel_id, user: slash.user_id, text, ...(blocks ? { blocks } : {}) })
      .catch((err: unknown) => ctx.logger.error({ err }, 'chat.postEphemeral failed'));
  };
  return {
    ctx,
    slash,
    ack: args.ack,
    reply,
    async afterAck(ackText, work) {
      await args.ack({ response_type: 'ephemeral', text: ackText });
      try {
        await work();
      } catch (err) {
        ctx.logger.warn({ err }, 'command failed');
        await reply(isSpconnError(err) ? err.userMessage : 'Something went wrong; an operator can find it in the logs.');
      }
    },
  };
}
