// Registers the modal submission listeners.
import type { App } from '@slack/bolt';
import { CREATE_CALLBACK } from '../../modals/createModal.js';
import { REJECT_CALLBACK } from '../../modals/rejectModal.js';
import type { HandlerContext } from '../context.js';
import { createConnectionSubmission } from './createConnection.js';
import { editConnectionSubmission } from './editConnection.js';
import { EDIT_CALLBACK } from '../../modals/editModal.js';
import { rejectRequestSubmission } from './rejectRequest.js';

export function registerViews(app: App, ctx: HandlerContext): void {
  app.view(CREATE_CALLBACK, createConnectionSubmission(ctx));
  app.view(REJECT_CALLBACK, rejectRequestSubmission(ctx));
  app.view(EDIT_CALLBACK, editConnectionSubmission(ctx));
}
