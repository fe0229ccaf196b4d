// `/spconn status [request-id]`: the caller's open requests and where each stands.
import { openRequestsText } from '../../modals/status.js';
import type { CommandCall } from './reply.js';

export async function statusCommand({ ctx, slash, ack }: CommandCall, requestId: string | undefined): Promise<void> {
  const rows = await ctx.requests.queries.openRequests(slash.user_id, requestId);
  await ack({ response_type: 'ephemeral', text: openRequestsText(rows, slash.team_domain, requestId) });
}
