// POST /slack/events: what a request must pass before Bolt's HTTP receiver may see it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type BufferedIncomingMessage, type HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { SlackDeliveries } from '../slack/delivery.js';
import { checkDeliveryBody } from '../slack/deliveryBody.js';
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
 * character in UTF-8, so 9 form-encoded). spconn's own largest, the Kafka form with 100 targets
 * and every field full of such text (carried into the rebuilt view as well), is about 275 KB.
 */
export const SLACK_BODY_LIMIT = 2 * 1024 * 1024;

export function slackEventsEndpoint(options: { receiver: HTTPReceiver; signingSecret: string; deliveries: SlackDeliveries; logger: Logger }): RequestHandler {
  const { receiver, signingSecret, deliveries, logger } = options;

  /** Reads, authenticates and checks the body; answers and resolves undefined when it is refused. */
  async function admit(req: IncomingMessage, res: ServerResponse): Promise<BufferedIncomingMessage | undefined> {
    const raw = await readBody(req, res, SLACK_BODY_LIMIT);
    if (raw === undefined) return undefined;
    // Bolt reads a body once; given one already read, it uses that.
    const buffered = Object.assign(req, { rawBody: raw }) satisfies BufferedIncomingMessage;
    // Bolt's own steps, in Bolt's order, so that what is checked here is what Bolt will see: the
    // signature (a form with `ssl_check=1` needs none, as in Bolt), then the body as Bolt parses it.
    try {
      await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret }, buffered);
    } catch (err) {
      logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'Slack request refused: not signed by Slack');
      res.writeHead(401).end();
      return undefined;
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      logger.warn({ problem: 'the body does not parse' }, 'Slack request refused: malformed');
      res.writeHead(400).end();
      return undefined;
    }
    const checked = checkDeliveryBody(body);
    if (!checked.ok) {
      logger.warn({ problem: checked.problem }, 'Slack request refused: malformed');
      res.writeHead(400).end();
      return undefined;
    }
    return buffered;
  }

  return (req, res) => {
    // Bolt throws, out of the request listener, at any other method on its path.
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const inScope = deliveries.overHttp(res);
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_CLOCK_SKEW_S) {
      res.writeHead(401).end();
      return;
    }
    // Every log line of this delivery, and of what it starts, carries one request id.
    inScope(() =>
      admit(req, res)
        // Bolt checks the signature and parses once more: microseconds for what Slack sends.
        .then((admitted) => {
          if (admitted) receiver.requestListener(admitted, res);
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'Slack request failed before Bolt took it');
          if (!res.headersSent) res.writeHead(500).end();
        }),
    );
  };
}
