// `app_home_opened`: the person opened spconn's Home tab; publish their page. Bolt acks an Events
// API delivery before any listener runs, so the publish never holds the ack.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerContext } from '../context.js';

const appHomeOpenedSchema = z.looseObject({ user: z.string(), tab: z.string().optional() });

export function homeOpened(ctx: HandlerContext) {
  return async (args: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const event = appHomeOpenedSchema.parse(args.event);
    // The Messages tab opens the same event; only the Home tab shows a page.
    if (event.tab !== undefined && event.tab !== 'home') return;
    ctx.requests.homes.opened(event.user);
  };
}
