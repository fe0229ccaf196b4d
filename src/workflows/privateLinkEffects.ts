// What each Private Link action does in Atlas. Every one is safe to run again after a crash:
// it looks for what an earlier try may have created before it creates anything.
import { awsAccountId } from '../atlas/accountDetails.js';
import type { AtlasClient } from '../atlas/client.js';
import { createConfluentLink, findLinkToCluster, getPrivateLink, listPrivateLinks, type PrivateLink } from '../atlas/privateLinks.js';
import { AtlasApiError } from '../atlas/errors.js';
import { createConnection, getConnection, type ConnectionBody, type StreamsConnection, type StreamsLocation } from '../atlas/streams.js';
import type { SharedPoller } from './sharedPoller.js';

import { pollDelay, type PlAction, type PlOutcome, type PlState, type PlTiming } from './privateLinkMachine.js';

export interface EffectContext {
  atlas: AtlasClient;
  at: StreamsLocation;
  /** The connection's body without networking; the link's id is added here. */
  body: ConnectionBody;
  secretValues: readonly string[];
  /**
   * Reads shared with the process's other setups of the project (one list call serves them all).
   * Without it each setup reads alone.
   */
  shared?: { poller: SharedPoller; timing: Pick<PlTiming, 'pollMinMs' | 'pollMaxMs'>; now: () => number };
}

/**
 * How fresh a poll's list must be: made since the setup's previous poll (it would have polled no
 * later than that anyway) and since the step began (so a link or connection just made is in it).
 */
function pollSince(state: PlState, shared: NonNullable<EffectContext['shared']>): number {
  const now = shared.now();
  const stepBegan = state.waitingSince ? Date.parse(state.waitingSince) : now;
  const previousPoll = state.attempt > 0 ? now - pollDelay(state.attempt - 1, shared.timing) : stepBegan;
  return Math.max(stepBegan, previousPoll);
}

/** The project's links, from a list made at or after `since` (the shared one when there is one). */
async function links(ctx: EffectContext, since: (shared: NonNullable<EffectContext['shared']>) => number): Promise<PrivateLink[]> {
  if (!ctx.shared) return listPrivateLinks(ctx.atlas, ctx.at.projectId);
  return ctx.shared.poller.links(ctx.atlas, ctx.at.projectId, since(ctx.shared));
}

export async function perform(action: PlAction, state: PlState, ctx: EffectContext): Promise<PlOutcome | undefined> {
  const { atlas, at } = ctx;
  const plan = state.plan;
  switch (action.kind) {
    case 'find_link': {
      const link = findLinkToCluster(await links(ctx, (shared) => shared.now()), plan);
      return { kind: 'link_found', linkId: link?._id, state: link?.state };
    }
    case 'account_details':
      return { kind: 'account', awsAccountId: await awsAccountId(atlas, at.projectId, plan.atlasRegion) };
    case 'request_link': {
      // find_link saw none: a link here now is one an earlier try of this step created. The look
      // is a list made after this step began, shared with the setups looking at the same time.
      const earlier = findLinkToCluster(await links(ctx, (shared) => shared.now()), plan);
      const link = earlier ?? (await createConfluentLink(atlas, at.projectId, plan));
      return { kind: 'link_requested', linkId: link._id, createdByUs: true };
    }
    case 'poll_link': {
      // One list serves every waiting setup of the project; a link missing from it (a list that
      // lags a create, or a link deleted meanwhile) is read alone, and a 404 there means deleted.
      const listed = ctx.shared ? (await links(ctx, (shared) => pollSince(state, shared))).find((l) => l._id === action.linkId) : undefined;
      const link = listed ?? (await getPrivateLink(atlas, at.projectId, action.linkId));
      if (!link) return { kind: 'error', message: `Private Link \`${action.linkId}\` no longer exists in Atlas; someone deleted it. Start the setup again.` };
      return { kind: 'link_state', state: link.state, errorMessage: link.errorMessage, interfaceEndpointId: link.interfaceEndpointId };
    }
    case 'create_connection': {
      // A look first, although Atlas's 409 would tell: a burst of first POSTs, each on a Digest
      // client that has no nonce yet, was seen to stall the emulator's answers (see README's bench).
      const existing = await getConnection(atlas, at, ctx.body.name);
      if (existing) return connectionOnLink(existing, action.linkId, ctx, at);
      const body = { ...ctx.body, networking: { access: { type: 'PRIVATE_LINK', connectionId: action.linkId } } };
      try {
        const created = await createConnection(atlas, at, body, ctx.secretValues);
        return { kind: 'connection_state', state: created.state };
      } catch (err) {
        // An earlier try of this step created it after the look above: a retry whose look-up met
        // the moment a new connection still answers 404, or a runner that lost its lease under
        // load. Look again; still 404 means it is that moment, and polling will find it.
        if (!(err instanceof AtlasApiError && err.errorCode === 'STREAM_CONNECTION_NAME_ALREADY_EXISTS')) throw err;
        const now = await getConnection(atlas, at, ctx.body.name);
        return now ? connectionOnLink(now, action.linkId, ctx, at) : { kind: 'connection_state', state: 'PENDING' };
      }
    }
    case 'poll_connection': {
      // Right after a create a GET may answer 404 for a moment: that is still pending.
      const listed = ctx.shared ? (await ctx.shared.poller.connections(atlas, at, pollSince(state, ctx.shared))).find((c) => c.name === ctx.body.name) : undefined;
      const connection = listed ?? (await getConnection(atlas, at, ctx.body.name));
      return { kind: 'connection_state', state: connection?.state ?? 'PENDING' };
    }
    case 'wait_for_person':
    case 'finished':
      return undefined;
  }
}

function connectionOnLink(existing: StreamsConnection, linkId: string, ctx: EffectContext, at: StreamsLocation): PlOutcome {
  const usesLink = (existing.networking as { access?: { connectionId?: string } } | undefined)?.access?.connectionId;
  if (usesLink !== linkId) {
    return { kind: 'error', message: `A connection named \`${ctx.body.name}\` already exists in ${at.instance} and does not use this Private Link. Pick another name and start again.` };
  }
  return { kind: 'connection_state', state: existing.state };
}
