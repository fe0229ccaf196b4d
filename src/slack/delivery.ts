// One Slack delivery, over HTTP or Socket Mode: its own log scope (one request id for every line it
// causes), its count and ack time in the metrics, and one "Slack request" log line when it is done.
import type { ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { inNewScope, type LogScope } from '../logContext.js';
import type { Metrics, SlackKind, SlackOutcome } from '../metrics/metrics.js';
import type { SendAck } from '../receivers/socketMode.js';

export class SlackDeliveries {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * An HTTP delivery, timed from now until its response closes, then counted and logged. The
   * function returned runs the rest of its work in the delivery's own scope; work refused before
   * that (a stale timestamp) is counted without a request id.
   */
  overHttp(res: ServerResponse): <T>(work: () => T) => T {
    const started = performance.now();
    let scope: LogScope | undefined;
    res.once('close', () => {
      const outcome = !res.writableFinished ? 'error' : res.statusCode < 300 ? 'ok' : res.statusCode === 401 ? 'unauthorized' : 'error';
      this.record(scope, outcome, (performance.now() - started) / 1000);
    });
    return (work) =>
      inNewScope((s) => {
        scope = s;
        return work();
      });
  }

  /** A Socket Mode delivery: the same scope, metrics and log line as one over HTTP. */
  readonly overSocket = async (sendAck: SendAck, process: (ack: SendAck) => Promise<void>): Promise<void> => {
    const started = performance.now();
    let ackedAt: number | undefined;
    let scope: LogScope | undefined;
    const ack: SendAck = async (response) => {
      await sendAck(response);
      ackedAt ??= performance.now();
    };
    try {
      await inNewScope((s) => {
        scope = s;
        return process(ack);
      });
    } catch (err) {
      this.logger.error({ err, requestId: scope?.requestId }, 'unhandled error in a Slack listener');
    }
    this.record(scope, ackedAt === undefined ? 'error' : 'ok', ((ackedAt ?? performance.now()) - started) / 1000);
  };

  private record(scope: LogScope | undefined, outcome: SlackOutcome, seconds: number): void {
    const kind = (scope?.slackKind ?? 'other') as SlackKind;
    const requestId = scope?.requestId;
    this.metrics.slackRequests.inc({ kind, outcome });
    if (outcome === 'ok') this.metrics.ackSeconds.observe({ kind }, seconds);
    this.logger.info({ requestId, slack: { kind, outcome, ms: Math.round(seconds * 1000) } }, 'Slack request');
  }
}
