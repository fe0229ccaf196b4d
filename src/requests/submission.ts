// A new request: stored pending with its call sealed and digested, its card posted in the channel,
// its owners pinged. The caller (a form or a command) has validated every field.
import type { Config, Target } from '../config/file.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { bindRequest, currentRequestId, newRequestId } from '../logContext.js';
import type { Sealer } from '../secrets/sealing.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';
import { digestInput, type StoredCall } from './calls.js';
import type { RequestCards } from './cards.js';
import { SPCONN_ACTOR } from './lifecycle.js';
import { loadRequest, type RequestSummary } from './model.js';
import type { RequestNotifier } from './notifier.js';

export interface NewRequest {
  /** The id chosen when the form opened (a second delivery of the same submission is ignored). */
  requestId?: string;
  target: Target;
  requesterId: string;
  channelId: string;
  summary: RequestSummary;
  call: StoredCall;
}

export interface SubmissionDeps {
  config: Config;
  store: RequestStore;
  sealer: Sealer;
  notifier: RequestNotifier;
  cards: RequestCards;
  logger: Logger;
  now: () => Date;
}

/** The connection a call concerns. */
function connectionNameOf(call: StoredCall): string {
  return call.kind === 'delete' ? call.name : call.body.name;
}

export async function submitRequest(deps: SubmissionDeps, input: NewRequest): Promise<RequestRow> {
  const { store, sealer, notifier, cards, logger } = deps;
  const { target, call } = input;
  const id = input.requestId ?? currentRequestId() ?? newRequestId();
  bindRequest(id);
  const now = deps.now();
  const row: RequestRow = {
    id,
    action: call.kind === 'delete' ? 'delete' : 'create',
    connection_type: input.summary.typeLabel,
    connection_name: connectionNameOf(call),
    target_name: target.name,
    requester_id: input.requesterId,
    channel_id: input.channelId,
    message_ts: null,
    state: 'pending',
    summary_json: JSON.stringify(input.summary),
    sealed_call: sealer.seal(JSON.stringify(call), id),
    digest: sealer.digest(digestInput(call)),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + deps.config.approvals.expireAfter).toISOString(),
    updated_at: now.toISOString(),
    outcome_json: null,
    lease_owner: null,
    lease_until: null,
    notified_at: null,
    call_kind: call.kind,
  };
  if (!(await store.insert(row, input.requesterId))) {
    // The same form submitted twice (a retried delivery, or one delivered to two replicas).
    logger.info({ requestId: id }, 'request already submitted; not posting it again');
    return loadRequest(store, id);
  }
  let posted: { channel: string; ts: string };
  try {
    posted = await notifier.postCard(await cards.context(row));
  } catch (err) {
    logger.error({ err, requestId: id }, 'could not post the request card');
    // Nobody can see it, so nobody could decide it: it ends here, told to the requester directly.
    await store.transition({ id, from: ['pending'], to: 'cancelled', actor: SPCONN_ACTOR, note: 'card could not be posted', dropSecrets: true });
    await store.markNotified(id);
    throw new SpconnError(
      'SLACK_POST_FAILED',
      'spconn could not post the request in this channel. Invite the app to the channel (`/invite @spconn`) and try again.',
      { cause: err },
    );
  }
  await store.setMessage(id, posted.channel, posted.ts);
  const stored = { ...row, channel_id: posted.channel, message_ts: posted.ts };
  await notifier.pingOwners(await cards.context(stored), target);
  logger.info({ requestId: id, action: row.action, target: target.name, connection: row.connection_name }, 'request submitted');
  return stored;
}
