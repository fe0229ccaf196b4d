// POST /slack/events: what a request must pass before Bolt's HTTP receiver may see it.
import type { BufferedIncomingMessage, HTTPReceiver } from '@slack/bolt';
import type { SlackDeliveries } from '../slack/delivery.js';
import { readBody } from './body.js';
import type { RequestHandler } from './server.js';

/** Slack signs a timestamp; Bolt refuses old ones but not ones far in the future, so we do. */
const MAX_CLOCK_SKEW_S = 5 * 60;

/*
 * The most a body from Slack can hold, read before its signature can be checked. Bolt's own limit
 * (4 MB) is far above anything Slack sends. The largest delivery is a view_submission: the view,
 * echoed back, and what was typed into it. Slack's limits bound both (shared/slack/README.md;
 * views.open/update/push refuse a view over 250 KB with `view_too_large`):
 *   view (its ≤ 100 blocks, private_metadata ≤ 3,000 characters, ids)      ≤ 250,000 bytes of JSON
 *   state.values: ≤ 100 inputs × (value ≤ 3,000 + block_id and action_id
 *                 ≤ 255 each + ~90 of JSON around them)                        ≤ 360,000
 *   the rest: type, team, user, api_app_id, token, trigger_id, response_urls  ≤ 5,000
 *                                                                              ≈ 615,000
 * Sent as `payload=<JSON>` form-encoded, each byte becomes at most 3 (`{` is `%7B`): ≤ 1,845,000.
 * 2 MiB covers that with about 250 KB to spare for typed text outside ASCII (up to 3 bytes a
 * character in UTF-8); spconn's own largest form, every field full of such text, is under 250 KB.
 */
export const SLACK_BODY_LIMIT = 2 * 1024 * 1024;

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
    inScope(() =>
      readBody(req, res, SLACK_BODY_LIMIT).then((body) => {
        if (body === undefined) return;
        // Bolt reads a body once; given one already read, it checks the signature on that.
        (req as BufferedIncomingMessage).rawBody = body;
        receiver.requestListener(req, res);
      }),
    );
  };
}
