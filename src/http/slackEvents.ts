// POST /slack/events: what a request must pass before Bolt's HTTP receiver may see it.
import type { HTTPReceiver } from '@slack/bolt';
import type { SlackDeliveries } from '../slack/delivery.js';
import type { RequestHandler } from './server.js';

/** Slack signs a timestamp; Bolt refuses old ones but not ones far in the future, so we do. */
const MAX_CLOCK_SKEW_S = 5 * 60;

export function slackEventsEndpoint(options: { receiver: HTTPReceiver; deliveries: SlackDeliveries }): RequestHandler {
  const { receiver, deliveries } = options;
  return (req, res) => {
    const inScope = deliveries.overHttp(res);
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_CLOCK_SKEW_S) {
      res.writeHead(401).end();
      return;
    }
    // Every log line of this delivery, and of what it starts, carries one request id.
    inScope(() => receiver.requestListener(req, res));
  };
}
