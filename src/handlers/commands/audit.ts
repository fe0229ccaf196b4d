// `/spconn audit [target] [days]`: owners only; who asked, who decided, what was sent, outcome.
import { auditBlocks, auditText } from '../../modals/audit.js';
import type { CommandCall } from './reply.js';

export async function auditCommand(call: CommandCall, target: string | undefined, days: number): Promise<void> {
  await call.afterAck('Looking up the audit trail…', async () => {
    const report = await call.ctx.requests.queries.audit(call.slash.user_id, target, days);
    await call.reply(auditText(report), auditBlocks(report));
  });
}
