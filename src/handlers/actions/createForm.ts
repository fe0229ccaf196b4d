// Interactions inside the create form: picking a type rebuilds the form (typed values kept),
// and the S3 role picker loads the project's authorised roles as its options.
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { connectionType } from '../../connections/index.js';
import type { ExternalOptions } from '../../connections/types.js';
import type { PlainTextOption } from '@slack/types';
import { CREATE_ACTIONS, CREATE_BLOCKS, createMetadataSchema, createModal } from '../../modals/createModal.js';
import { selectedValue, viewStateValuesSchema } from '../../modals/viewState.js';
import { targetsFor } from '../../management/targets.js';
import { menuLookups } from '../atlasLookups.js';
import type { HandlerContext } from '../context.js';
import { safeJson, viewActionSchema } from '../payloads.js';

export function connectionTypePicked(ctx: HandlerContext) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const { view } = viewActionSchema.parse(body);
    const meta = createMetadataSchema.safeParse(safeJson(view.private_metadata));
    if (!meta.success) return;
    const type = connectionType(selectedValue(view.state.values, CREATE_BLOCKS.type, CREATE_ACTIONS.type) ?? '');
    const modal = createModal(type, targetsFor(ctx.config, meta.data.channelId), meta.data, view.state.values);
    // The hash makes Slack refuse the update if the user changed the view meanwhile.
    await client.views.update({ view_id: view.id, hash: view.hash, view: modal }).catch((err: unknown) => ctx.logger.warn({ err }, 'views.update of the create form failed'));
  };
}

const suggestionSchema = z.looseObject({
  value: z.string().default(''),
  view: z
    .looseObject({ private_metadata: z.string().default(''), state: z.looseObject({ values: viewStateValuesSchema }).optional() })
    .optional(),
});

/** The options of a connection type's `external_select`, for the target chosen in the form. */
export function externalOptions(ctx: HandlerContext, menu: ExternalOptions) {
  return async ({ ack, body }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const suggestion = suggestionSchema.parse(body);
    const meta = createMetadataSchema.safeParse(safeJson(suggestion.view?.private_metadata ?? ''));
    const allowed = meta.success ? targetsFor(ctx.config, meta.data.channelId) : [];
    const chosen = selectedValue(suggestion.view?.state?.values ?? {}, CREATE_BLOCKS.target, CREATE_ACTIONS.target);
    const target = allowed.find((t) => t.name === chosen) ?? (allowed.length === 1 ? allowed[0] : undefined);
    if (!target) {
      await ack({ options: [] });
      return;
    }
    let options: PlainTextOption[] = [];
    try {
      options = await menu.load(suggestion.value.trim(), menuLookups(ctx, target));
    } catch (err) {
      ctx.logger.warn({ err, target: target.name, menu: menu.actionId }, 'could not load the menu options');
    }
    await ack({ options });
  };
}
