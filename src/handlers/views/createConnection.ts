// The create form's submission: every field validated before the ack, so errors show inline;
// a valid one closes the modal and posts the request card.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { getConnection } from '../../atlas/streams.js';
import { connectionType } from '../../connections/index.js';
import type { FieldErrors } from '../../connections/types.js';
import { isSpconnError } from '../../errors.js';
import { bindRequest } from '../../logContext.js';
import { CREATE_ACTIONS, CREATE_BLOCKS, connectionNameError, createMetadataSchema } from '../../modals/createModal.js';
import { selectedValue, textValue } from '../../modals/viewState.js';
import { withinAckBudget } from '../ackBudget.js';
import { ackLookups } from '../atlasLookups.js';
import { targetsFor } from '../../management/targets.js';
import type { HandlerContext } from '../context.js';
import { safeJson, viewSubmissionSchema } from '../payloads.js';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createConnectionSubmission(ctx: HandlerContext) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const submission = viewSubmissionSchema.parse(body);
    const meta = createMetadataSchema.safeParse(safeJson(submission.view.private_metadata));
    if (!meta.success) {
      await ack({ response_action: 'errors', errors: { [CREATE_BLOCKS.name]: 'This form is out of date; close it and run /spconn create again.' } });
      return;
    }
    if (meta.data.requestId) bindRequest(meta.data.requestId);
    const values = submission.view.state.values;
    const errors: FieldErrors = {};

    const targetName = selectedValue(values, CREATE_BLOCKS.target, CREATE_ACTIONS.target);
    const target = targetName ? targetsFor(ctx.config, meta.data.channelId).find((t) => t.name === targetName) : undefined;
    if (!target) errors[CREATE_BLOCKS.target] = targetName ? `Target ${targetName} may not be used from this channel.` : 'Choose a target.';

    const type = connectionType(selectedValue(values, CREATE_BLOCKS.type, CREATE_ACTIONS.type) ?? '');
    if (!type) errors[CREATE_BLOCKS.type] = 'Choose a connection type.';

    const form = type?.parseForm(values);
    if (form && !form.ok) Object.assign(errors, form.errors);

    // A type may name the connection from its own fields (Sample: the data set); its block then takes name errors.
    const nameBlock = type?.namedBy?.blockId ?? CREATE_BLOCKS.name;
    const name = type?.namedBy ? (form?.ok ? type.namedBy.name(form.value) : '') : textValue(values, CREATE_BLOCKS.name, CREATE_ACTIONS.name);
    const nameError = type?.namedBy && !form?.ok ? undefined : connectionNameError(name);
    if (nameError) errors[nameBlock] = nameError;

    if (target && type && form?.ok && !nameError) {
      // Checks against Atlas share what is left of Slack's 3 s; without an answer, execution reports it.
      const atlas = ctx.atlas.for(target);
      const [taken, atlasErrors] = await Promise.all([
        withinAckBudget(ctx, () => getConnection(atlas, target, name, { maxAttempts: 1 }).then((c) => c !== undefined)),
        type.checkWithAtlas?.(form.value, ackLookups(ctx, target)) ?? {},
      ]);
      if (taken) {
        errors[nameBlock] = type.namedBy
          ? `A connection named ${name} already exists in ${target.instance}; it is already available there.`
          : `A connection named ${name} already exists in ${target.instance}. Pick another name.`;
      }
      Object.assign(errors, atlasErrors);
    }
    if (Object.keys(errors).length > 0 || !target || !type || !form?.ok) {
      await ack({ response_action: 'errors', errors });
      return;
    }

    await ack();
    const at = { projectId: target.projectId, instance: target.instance };
    const connection = type.atlasBody(name, form.value);
    const secretValues = type.secretValues(form.value);
    const plan = type.privateLinkPlan?.(form.value);
    try {
      await ctx.requests.submit({
        requestId: meta.data.requestId,
        target,
        requesterId: submission.user.id,
        channelId: meta.data.channelId,
        call: plan ? { kind: 'privatelink', at, body: connection, plan, secretValues } : { kind: 'create', at, body: connection, secretValues },
        summary: { typeLabel: type.label, projectId: target.projectId, instance: target.instance, fields: type.summary(form.value), notes: type.notes },
      });
    } catch (err) {
      await tellRequester(ctx, client, submission.user.id, err);
    }
  };
}

async function tellRequester(ctx: HandlerContext, client: ViewArgs['client'], userId: string, err: unknown): Promise<void> {
  ctx.logger.error({ err }, 'could not submit request');
  const text = isSpconnError(err) ? err.userMessage : 'spconn could not store your request; nothing was sent to Atlas. Please try again.';
  await client.chat.postMessage({ channel: userId, text }).catch((e: unknown) => ctx.logger.error({ err: e }, 'could not tell the requester'));
}

