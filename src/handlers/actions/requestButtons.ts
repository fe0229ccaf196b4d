// The request card's buttons. Every click is authorised on the server from the stored request,
// never from what the message shows; a refusal is ephemeral and changes nothing.
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { isSpconnError } from '../../errors.js';
import { parseButtonValue } from '../../modals/requestCard.js';
import { rejectModal } from '../../modals/rejectModal.js';
import type { HandlerContext } from '../context.js';
import { actionChannel, blockActionSchema, type BlockAction } from '../payloads.js';

type ActionArgs = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** A click on a Home tab: no channel to answer in, so the answer goes on the person's Home. */
const homeClickSchema = z.looseObject({ view: z.looseObject({ type: z.literal('home') }) });

async function refuse(ctx: HandlerContext, args: ActionArgs, click: BlockAction, err: unknown): Promise<void> {
  if (!isSpconnError(err)) throw err;
  const channel = actionChannel(click);
  if (!channel) {
    if (homeClickSchema.safeParse(args.body).success) ctx.requests.homes.tell(click.user.id, err.userMessage);
    return;
  }
  await args.client.chat
    .postEphemeral({ channel, user: click.user.id, text: err.userMessage })
    .catch((e: unknown) => ctx.logger.error({ err: e }, 'could not post refusal'));
}

export function approveClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    const { requestId, digest } = parseButtonValue(click.actions[0]?.value ?? '');
    await ctx.requests.decisions.approve(requestId, click.user.id, digest).catch((err: unknown) => refuse(ctx, args, click, err));
  };
}

export function rejectClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    const { requestId } = parseButtonValue(click.actions[0]?.value ?? '');
    try {
      const row = await ctx.requests.decisions.assertMay('reject', requestId, click.user.id);
      await ctx.views.open(click.trigger_id, rejectModal(row.id, row.connection_name));
    } catch (err) {
      await refuse(ctx, args, click, err);
    }
  };
}

export function cancelClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    const { requestId } = parseButtonValue(click.actions[0]?.value ?? '');
    await ctx.requests.decisions.cancel(requestId, click.user.id).catch((err: unknown) => refuse(ctx, args, click, err));
  };
}

export function setupDoneClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    const [requestId = '', step] = (click.actions[0]?.value ?? '').split(':', 2);
    await ctx.requests.setups.personActed(requestId, click.user.id, 'done', step).catch((err: unknown) => refuse(ctx, args, click, err));
  };
}

export function setupCancelClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    await ctx.requests.setups.personActed(click.actions[0]?.value ?? '', click.user.id, 'cancel').catch((err: unknown) => refuse(ctx, args, click, err));
  };
}

export function deleteLinkClicked(ctx: HandlerContext) {
  return async (args: ActionArgs): Promise<void> => {
    await args.ack();
    const click = blockActionSchema.parse(args.body);
    const [requestId = '', linkId = ''] = (click.actions[0]?.value ?? '').split(':', 2);
    await ctx.requests.setups.deleteLeftoverLink(requestId, click.user.id, linkId).catch((err: unknown) => refuse(ctx, args, click, err));
  };
}
