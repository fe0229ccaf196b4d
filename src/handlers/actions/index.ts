// Registers the button, menu and options listeners.
import type { App } from '@slack/bolt';
import { S3_ACTIONS } from '../../connections/s3.js';
import { CREATE_ACTIONS } from '../../modals/createModal.js';
import { LIST_ACTIONS } from '../../modals/listings.js';
import { CARD_ACTIONS } from '../../modals/requestCard.js';
import type { HandlerContext } from '../context.js';
import { connectionTypePicked, s3RoleOptions } from './createForm.js';
import { listMoreClicked } from './listMore.js';
import { approveClicked, cancelClicked, deleteLinkClicked, rejectClicked, setupCancelClicked, setupDoneClicked } from './requestButtons.js';

export function registerActions(app: App, ctx: HandlerContext): void {
  app.action(CARD_ACTIONS.approve, approveClicked(ctx));
  app.action(CARD_ACTIONS.reject, rejectClicked(ctx));
  app.action(CARD_ACTIONS.cancel, cancelClicked(ctx));
  app.action(CARD_ACTIONS.setupDone, setupDoneClicked(ctx));
  app.action(CARD_ACTIONS.setupCancel, setupCancelClicked(ctx));
  app.action(CARD_ACTIONS.deleteLink, deleteLinkClicked(ctx));
  app.action(CREATE_ACTIONS.type, connectionTypePicked(ctx));
  app.action(LIST_ACTIONS.more, listMoreClicked(ctx));
  app.options(S3_ACTIONS.role, s3RoleOptions(ctx));
}
