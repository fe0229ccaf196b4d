// What each Private Link action does in Atlas. Every one is safe to run again after a crash:
// it looks for what an earlier try may have created before it creates anything.
import { awsAccountId } from '../atlas/accountDetails.js';
import type { AtlasClient } from '../atlas/client.js';
import { createConfluentLink, findLinkToCluster, getPrivateLink, listPrivateLinks } from '../atlas/privateLinks.js';
import { AtlasApiError } from '../atlas/errors.js';
import { createConnection, getConnection, type ConnectionBody, type StreamsConnection, type StreamsLocation } from '../atlas/streams.js';

import type { PlAction, PlOutcome, PlState } from './privateLinkMachine.js';

export interface EffectContext {
  atlas: AtlasClient;
  at: StreamsLocation;
  /** The connection's body without networking; the link's id is added here. */
  body: ConnectionBody;
  secretValues: readonly string[];
}

export async function perform(action: PlAction, state: PlState, ctx: EffectContext): Promise<PlOutcome | undefined> {
  const { atlas, at } = ctx;
  const plan = state.plan;
  switch (action.kind) {
    case 'find_link': {
      const link = findLinkToCluster(await listPrivateLinks(atlas, at.projectId), plan);
      return { kind: 'link_found', linkId: link?._id, state: link?.state };
    }
    case 'account_details':
      return { kind: 'account', awsAccountId: await awsAccountId(atlas, at.projectId, plan.atlasRegion) };
    case 'request_link': {
      // find_link saw none: a link here now is one an earlier try of this step created.
      const earlier = findLinkToCluster(await listPrivateLinks(atlas, at.projectId), plan);
      const link = earlier ?? (await createConfluentLink(atlas, at.projectId, plan));
      return { kind: 'link_requested', linkId: link._id, createdByUs: true };
    }
    case 'poll_link': {
      const link = await getPrivateLink(atlas, at.projectId, action.linkId);
      if (!link) return { kind: 'error', message: `Private Link \`${action.linkId}\` no longer exists in Atlas; someone deleted it. Start the setup again.` };
      return { kind: 'link_state', state: link.state, errorMessage: link.errorMessage, interfaceEndpointId: link.interfaceEndpointId };
    }
    case 'create_connection': {
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
      const connection = await getConnection(atlas, at, ctx.body.name);
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
