// Registers the button listeners.
import type { App } from '@slack/bolt';
import { CARD_ACTIONS } from '../../modals/requestCard.js';
import type { HandlerContext } from '../context.js';
import { approveClicked, cancelClicked, rejectClicked } from './requestButtons.js';

export function registerActions(app: App, ctx: HandlerContext): void {
  app.action(CARD_ACTIONS.approve, approveClicked(ctx));
  app.action(CARD_ACTIONS.reject, rejectClicked(ctx));
  app.action(CARD_ACTIONS.cancel, cancelClicked(ctx));
}
