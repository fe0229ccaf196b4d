// Picking a type in the edit form rebuilds it: the connection's own type is filled from Atlas
// again; another type is a replace, its fields empty.
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { getConnection } from '../../atlas/streams.js';
import { connectionType } from '../../connections/index.js';
import { targetsFor } from '../../management/targets.js';
import { EDIT_ACTIONS, EDIT_BLOCKS, editMetadataSchema, editModal } from '../../modals/editModal.js';
import { selectedValue, type ViewStateValues } from '../../modals/viewState.js';
import type { HandlerContext } from '../context.js';
import { safeJson, viewActionSchema } from '../payloads.js';

export function editTypePicked(ctx: HandlerContext) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const { view } = viewActionSchema.parse(body);
    const meta = editMetadataSchema.safeParse(safeJson(view.private_metadata));
    if (!meta.success) return;
    const type = connectionType(selectedValue(view.state.values, EDIT_BLOCKS.type, EDIT_ACTIONS.type) ?? '');
    const target = targetsFor(ctx.config, meta.data.channelId).find((t) => t.name === meta.data.target);
    if (!type || !target) return;
    let values: ViewStateValues = view.state.values;
    if (type.atlasType === meta.data.atlasType && type.formFromConnection) {
      // Back to the connection's own type: Atlas's values again, under what the person typed.
      const current = await getConnection(ctx.atlas.for(target), target, meta.data.name).catch((err: unknown) => ctx.logger.warn({ err }, 'could not read the connection to edit'));
      if (current) values = { ...type.formFromConnection(current), ...view.state.values };
    }
    await client.views
      .update({ view_id: view.id, hash: view.hash, view: editModal(type, target, meta.data, values) })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'views.update of the edit form failed'));
  };
}
