// `/spconn edit <name> [target]`: the form opens at once (saying it loads), then fills itself with
// Atlas's current definition of the connection; nothing slow before the ack.
import type { WebClient } from '@slack/web-api';
import type { View } from '@slack/types';
import { getConnection } from '../../atlas/streams.js';
import type { Target } from '../../config/file.js';
import { connectionTypeForAtlas } from '../../connections/index.js';
import { isSpconnError } from '../../errors.js';
import { currentRequestId } from '../../logContext.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { CONNECTION_NAME } from '../../modals/createModal.js';
import { editModal, editNoticeModal } from '../../modals/editModal.js';
import type { HandlerContext } from '../context.js';
import type { CommandCall } from './reply.js';
import { targetOrRefuse } from './target.js';

export async function editCommand(call: CommandCall, client: WebClient, name: string, named: string | undefined): Promise<void> {
  const { ctx, slash } = call;
  const target = await targetOrRefuse(call, named, `edit ${name} <target>`);
  if (!target) return;
  await call.ack();
  let viewId: string;
  try {
    ({ viewId } = await ctx.views.open(slash.trigger_id, editNoticeModal('Edit connection', `Loading \`${escapeMrkdwn(name)}\` from Atlas…`)));
  } catch (err) {
    ctx.logger.error({ err }, 'views.open failed');
    await call.reply('Slack did not open the form in time. Please run the command again.');
    return;
  }
  const view = await editView(ctx, target, name, { channelId: slash.channel_id, requestId: currentRequestId() });
  await client.views.update({ view_id: viewId, view }).catch((err: unknown) => ctx.logger.warn({ err }, 'views.update of the edit form failed'));
}

/** The filled form, or a notice saying why there is none. */
async function editView(ctx: HandlerContext, target: Target, name: string, meta: { channelId: string; requestId: string | undefined }): Promise<View> {
  const where = `${escapeMrkdwn(target.instance)} (${escapeMrkdwn(target.name)})`;
  let connection;
  try {
    connection = CONNECTION_NAME.test(name) ? await getConnection(ctx.atlas.for(target), target, name) : undefined;
  } catch (err) {
    ctx.logger.warn({ err }, 'could not read the connection to edit');
    return editNoticeModal('Edit connection', isSpconnError(err) ? escapeMrkdwn(err.userMessage) : 'spconn could not read the connection from Atlas; an operator can find why in the logs.');
  }
  if (!connection) {
    return editNoticeModal('Edit connection', `There is no connection \`${escapeMrkdwn(name)}\` in ${where}. \`/spconn list ${escapeMrkdwn(target.name)}\` shows what there is.`);
  }
  const type = connectionTypeForAtlas(connection.type);
  if (type?.notEditable) return editNoticeModal('Edit connection', type.notEditable);
  if (!type?.formFromConnection) {
    return editNoticeModal(
      'Edit connection',
      `spconn cannot edit ${escapeMrkdwn(connection.type)} connections yet: its form cannot be filled from Atlas's definition. \`/spconn delete\` and \`/spconn create\` it instead.`,
    );
  }
  const { requestId, channelId } = meta;
  return editModal(type, target, { channelId, ...(requestId ? { requestId } : {}), target: target.name, name: connection.name, atlasType: connection.type }, type.formFromConnection(connection));
}
