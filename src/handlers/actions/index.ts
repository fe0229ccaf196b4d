// Registers the button, menu and options listeners.
import type { App } from '@slack/bolt';
import { CONNECTION_TYPES } from '../../connections/index.js';
import { CREATE_ACTIONS } from '../../modals/createModal.js';
import { LIST_ACTIONS } from '../../modals/listings.js';
import { cardOrHomeAction } from '../../modals/home.js';
import { CARD_ACTIONS } from '../../modals/requestCard.js';
import type { HandlerContext } from '../context.js';
import { connectionTypePicked, externalOptions } from './createForm.js';
import { editTypePicked } from './editForm.js';
import { EDIT_ACTIONS } from '../../modals/editModal.js';
import { listMoreClicked } from './listMore.js';
import { approveClicked, cancelClicked, deleteLinkClicked, rejectClicked, setupCancelClicked, setupDoneClicked } from './requestButtons.js';

export function registerActions(app: App, ctx: HandlerContext): void {
  // The card's buttons also sit on Home tabs, with the request id in their action id: one listener for both.
  app.action(cardOrHomeAction(CARD_ACTIONS.approve), approveClicked(ctx));
  app.action(cardOrHomeAction(CARD_ACTIONS.reject), rejectClicked(ctx));
  app.action(cardOrHomeAction(CARD_ACTIONS.cancel), cancelClicked(ctx));
  app.action(cardOrHomeAction(CARD_ACTIONS.setupDone), setupDoneClicked(ctx));
  app.action(CARD_ACTIONS.setupCancel, setupCancelClicked(ctx));
  app.action(CARD_ACTIONS.deleteLink, deleteLinkClicked(ctx));
  app.action(CREATE_ACTIONS.type, connectionTypePicked(ctx));
  app.action(EDIT_ACTIONS.type, editTypePicked(ctx));
  app.action(LIST_ACTIONS.more, listMoreClicked(ctx));
  // A connection type brings its own menus: registering the type registers them.
  for (const menu of CONNECTION_TYPES.flatMap((t) => t.externalOptions ?? [])) app.options(menu.actionId, externalOptions(ctx, menu));
}
