// Slack gives a listener 3 s to ack. Look-ups made before an ack get a share of it; when Atlas
// is slower, the answer is "unknown" and the question is settled later.
import type { HandlerContext } from './context.js';

export const ACK_BUDGET_MS = 1_500;

export async function withinAckBudget<T>(ctx: HandlerContext, lookup: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ACK_BUDGET_MS);
  });
  try {
    return await Promise.race([lookup(), budget]);
  } catch (err) {
    ctx.logger.warn({ err }, 'look-up before the ack failed; deciding later');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
