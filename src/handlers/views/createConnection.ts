// The create form's submission: every field validated before the ack, so errors show inline;
// a valid one closes the modal and posts the request card.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { getConnection } from '../../atlas/streams.js';
import { connectionType } from '../../connections/index.js';
import type { FieldErrors } from '../../connections/types.js';
import { CREATE_ACTIONS, CREATE_BLOCKS, connectionNameError, createMetadataSchema } from '../../modals/createModal.js';
import { selectedValue, textValue } from '../../modals/viewState.js';
import { isSpconnError } from '../../errors.js';
import type { HandlerContext } from '../context.js';
import { viewSubmissionSchema } from '../payloads.js';
import type { Target } from '../../config/file.js';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/** How long the name check may hold the ack: Slack gives 3 s in all. */
const NAME_CHECK_BUDGET_MS = 1_500;

export function createConnectionSubmission(ctx: HandlerContext) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const submission = viewSubmissionSchema.parse(body);
    const meta = createMetadataSchema.safeParse(safeJson(submission.view.private_metadata));
    const type = meta.success ? connectionType(meta.data.type) : undefined;
    if (!meta.success || !type) {
      await ack({ response_action: 'errors', errors: { [CREATE_BLOCKS.name]: 'This form is out of date; close it and run /spconn create again.' } });
      return;
    }
    const values = submission.view.state.values;
    const errors: FieldErrors = {};

    const targetName = selectedValue(values, CREATE_BLOCKS.target, CREATE_ACTIONS.target);
    const target = targetName ? ctx.requests.targetsFor(meta.data.channelId).find((t) => t.name === targetName) : undefined;
    if (!target) errors[CREATE_BLOCKS.target] = targetName ? `Target ${targetName} may not be used from this channel.` : 'Choose a target.';

    const name = textValue(values, CREATE_BLOCKS.name, CREATE_ACTIONS.name);
    const nameError = connectionNameError(name);
    if (nameError) errors[CREATE_BLOCKS.name] = nameError;

    const form = type.parseForm(values);
    if (!form.ok) Object.assign(errors, form.errors);

    if (target && !nameError && (await nameTaken(ctx, target, name))) {
      errors[CREATE_BLOCKS.name] = `A connection named ${name} already exists in ${target.instance}. Pick another name.`;
    }
    if (Object.keys(errors).length > 0 || !form.ok || !target) {
      await ack({ response_action: 'errors', errors });
      return;
    }

    await ack();
    const body_ = type.atlasBody(name, form.value);
    try {
      await ctx.requests.submitCreate({
        target,
        requesterId: submission.user.id,
        channelId: meta.data.channelId,
        body: body_,
        secretValues: type.secretValues(form.value),
        summary: { typeLabel: type.label, projectId: target.projectId, instance: target.instance, fields: type.summary(form.value), notes: type.notes },
      });
    } catch (err) {
      ctx.logger.error({ err }, 'could not submit request');
      const text = isSpconnError(err) ? err.userMessage : 'spconn could not store your request; nothing was sent to Atlas. Please try again.';
      await client.chat
        .postMessage({ channel: submission.user.id, text })
        .catch((e: unknown) => ctx.logger.error({ err: e }, 'could not tell the requester'));
    }
  };
}

/** True only when Atlas says, within the budget, that the name exists; any doubt is settled at execution. */
async function nameTaken(ctx: HandlerContext, target: Target, name: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), NAME_CHECK_BUDGET_MS);
  });
  try {
    const found = await Promise.race([getConnection(ctx.requests.atlasFor(target), target, name, { maxAttempts: 1 }), budget]);
    return found !== undefined;
  } catch (err) {
    ctx.logger.warn({ err, target: target.name }, 'name check against Atlas failed; the create will report a conflict');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
