// The reject modal's submission: checked before the ack (errors inline), then recorded.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { isSpconnError } from '../../errors.js';
import { REJECT_ACTIONS, REJECT_BLOCKS } from '../../modals/rejectModal.js';
import { decisionNotApplied } from '../../modals/threadMessages.js';
import { textValue } from '../../modals/viewState.js';
import type { HandlerContext } from '../context.js';
import { viewSubmissionSchema } from '../payloads.js';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function rejectRequestSubmission(ctx: HandlerContext) {
  return async ({ ack, body }: ViewArgs): Promise<void> => {
    const submission = viewSubmissionSchema.parse(body);
    const requestId = submission.view.private_metadata;
    const actor = submission.user.id;
    const reason = textValue(submission.view.state.values, REJECT_BLOCKS.reason, REJECT_ACTIONS.reason).slice(0, 1000);
    try {
      await ctx.requests.decisions.assertMay('reject', requestId, actor);
    } catch (err) {
      if (!isSpconnError(err)) throw err;
      await ack({ response_action: 'errors', errors: { [REJECT_BLOCKS.reason]: err.userMessage } });
      return;
    }
    await ack();
    try {
      await ctx.requests.decisions.reject(requestId, actor, reason);
    } catch (err) {
      // The modal is closed: an approval (or expiry) that won the race is told to the owner privately.
      if (!isSpconnError(err)) throw err;
      ctx.logger.warn({ err, requestId }, 'reject did not apply');
      await ctx.requests.cards.tell(requestId, actor, decisionNotApplied(err.userMessage));
    }
  };
}
