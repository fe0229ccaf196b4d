// The edit form's submission: the form is parsed against Atlas's current definition, the change
// computed field by field (src/connections/edits.ts); no change, a STARTED stream processor in a
// replace's way, or bad input are refused inline. A valid one closes the modal and posts the card.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { getConnection, processorsUsing, type StreamProcessor, type StreamsConnection } from '../../atlas/streams.js';
import { changeLines, planEdit, processorLines, startedProcessors } from '../../connections/edits.js';
import { connectionType } from '../../connections/index.js';
import type { FieldErrors } from '../../connections/types.js';
import { isSpconnError } from '../../errors.js';
import { bindRequest } from '../../logContext.js';
import { targetsFor } from '../../management/targets.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import { EDIT_ACTIONS, EDIT_BLOCKS, editMetadataSchema } from '../../modals/editModal.js';
import { selectedValue } from '../../modals/viewState.js';
import { withinAckBudget } from '../ackBudget.js';
import { ackLookups } from '../atlasLookups.js';
import { checkSecretReferences } from '../secretReferences.js';
import type { HandlerContext } from '../context.js';
import { safeJson, viewSubmissionSchema } from '../payloads.js';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

const EDIT_NOTE =
  'Only the fields listed are sent, in one PATCH with the name and type; Atlas keeps the others (assumed: Atlas does not document it, see the README).';
const REPLACE_NOTE =
  'REPLACE: Atlas cannot make this change in place. spconn deletes the connection, waits until Atlas no longer has it, then creates it again with the same name. Pipelines that use it fail in between; a STARTED stream processor stops it.';

export function editConnectionSubmission(ctx: HandlerContext) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const submission = viewSubmissionSchema.parse(body);
    const meta = editMetadataSchema.safeParse(safeJson(submission.view.private_metadata));
    const refuse = (errors: FieldErrors) => ack({ response_action: 'errors', errors });
    if (!meta.success) return refuse({ [EDIT_BLOCKS.type]: 'This form is out of date; close it and run /spconn edit again.' });
    if (meta.data.requestId) bindRequest(meta.data.requestId);
    const { name } = meta.data;
    const values = submission.view.state.values;
    const target = targetsFor(ctx.config, meta.data.channelId).find((t) => t.name === meta.data.target);
    if (!target) return refuse({ [EDIT_BLOCKS.type]: `Target ${meta.data.target} may not be used from this channel.` });
    const type = connectionType(selectedValue(values, EDIT_BLOCKS.type, EDIT_ACTIONS.type) ?? '');
    if (!type || type.privateLinkPlan) return refuse({ [EDIT_BLOCKS.type]: 'Choose a connection type.' });

    // What Atlas has now, and who uses it, at once within Slack's 3 s.
    const atlas = ctx.atlas.for(target);
    const [read, processors] = await Promise.all([
      withinAckBudget(ctx, () => getConnection(atlas, target, name, { maxAttempts: 1 }).then((c) => ({ c }))),
      withinAckBudget(ctx, () => processorsUsing(atlas, target, name)),
    ]);
    if (!read) return refuse({ [EDIT_BLOCKS.type]: 'Atlas did not answer in time, so spconn cannot tell what changes. Submit again.' });
    const current: StreamsConnection | undefined = read.c;
    if (!current) return refuse({ [EDIT_BLOCKS.type]: `${name} no longer exists in ${target.instance}. Close this form; \`/spconn create\` makes a new one.` });

    // A change of type is a replace from the start; secrets may be kept only in place.
    let form = type.parseForm(values, type.atlasType === current.type ? current : undefined);
    if (!form.ok) return refuse(form.errors);
    let plan = planEdit(current, type.atlasBody(name, form.value), type.secretValues(form.value));
    if (plan.kind === 'replace' && type.atlasType === current.type) {
      // A networking change creates the connection anew: every secret must be given again.
      form = type.parseForm(values);
      if (!form.ok) return refuse(Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k, `${v} (This change replaces the connection, so secrets cannot be kept.)`])));
      plan = planEdit(current, type.atlasBody(name, form.value), type.secretValues(form.value));
    }
    if (plan.kind === 'none') return refuse({ [EDIT_BLOCKS.type]: `Nothing changed: this is what ${name} already has in Atlas. Change a field, or close the form.` });
    if (plan.kind === 'replace') {
      const problem = replaceProblem(processors);
      if (problem) return refuse({ [EDIT_BLOCKS.type]: problem });
    }
    // Secrets given as `secretsmanager:` references are checked as on a create, and read at execution.
    const [atlasErrors, references] = await Promise.all([
      type.checkWithAtlas?.(form.value, ackLookups(ctx, target)),
      checkSecretReferences(ctx, values, type.secretValues(form.value), EDIT_BLOCKS.type),
    ]);
    const errors = { ...atlasErrors, ...references.errors };
    if (Object.keys(errors).length > 0) return refuse(errors);

    await ack();
    const at = { projectId: target.projectId, instance: target.instance };
    const secretValues = references.values;
    const refs = references.refs.length ? { refs: references.refs } : {};
    const changes = changeLines(plan.changes).map(([label, text]) => `*${label}*: ${text}`).join('\n') || '_none_';
    const fields: Array<[string, string]> =
      plan.kind === 'edit'
        ? [['Changes', changes]]
        : [
            ['Replaced because', escapeMrkdwn(plan.reason)],
            ['Changes', changes],
            ['Stream processors using it', processorLines(processors ?? [])],
          ];
    try {
      await ctx.requests.submit({
        requestId: meta.data.requestId,
        target,
        requesterId: submission.user.id,
        channelId: meta.data.channelId,
        call: plan.kind === 'edit' ? { kind: 'edit', at, body: plan.patch, secretValues, ...refs } : { kind: 'replace', at, body: type.atlasBody(name, form.value), secretValues, ...refs },
        summary: { typeLabel: type.label, projectId: target.projectId, instance: target.instance, fields, notes: plan.kind === 'edit' ? EDIT_NOTE : REPLACE_NOTE },
      });
    } catch (err) {
      ctx.logger.error({ err }, 'could not submit request');
      const text = isSpconnError(err) ? err.userMessage : 'spconn could not store your request; nothing was sent to Atlas. Please try again.';
      await client.chat.postMessage({ channel: submission.user.id, text }).catch((e: unknown) => ctx.logger.error({ err: e }, 'could not tell the requester'));
    }
  };
}

/** Why a replace cannot be asked for now, if it cannot. */
function replaceProblem(processors: StreamProcessor[] | undefined): string | undefined {
  if (!processors) return 'Atlas did not list the stream processors in time, and a replace needs to know which use this connection. Submit again.';
  const started = startedProcessors(processors);
  if (started.length === 0) return undefined;
  return `This change replaces the connection, and stream processor${started.length > 1 ? 's' : ''} ${started.join(', ')} ${started.length > 1 ? 'are' : 'is'} STARTED and use${started.length > 1 ? '' : 's'} it. Stop ${started.length > 1 ? 'them' : 'it'} first.`;
}
