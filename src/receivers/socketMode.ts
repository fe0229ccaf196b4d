// Socket Mode: Slack's deliveries arrive over a WebSocket the app opens with its app-level token
// (no public URL needed). The same Bolt app and handlers serve them; each delivery runs through
// `deliver`, which gives it the same request-id scope and metrics as an HTTP delivery.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/logger';
import { SocketModeClient } from '@slack/socket-mode';
import { z } from 'zod';

export type SendAck = (response?: unknown) => Promise<void>;

/**
 * Runs one delivery: `process` hands it to Bolt with the ack it is given; `sendAck` answers Slack.
 * The caller wraps the ack to time it and runs `process` in the delivery's logging scope.
 */
export type Deliver = (sendAck: SendAck, process: (ack: SendAck) => Promise<void>) => Promise<void>;

const slackEventSchema = z.object({
  body: z.record(z.string(), z.unknown()),
  ack: z.custom<SendAck>((v) => typeof v === 'function'),
  retry_num: z.number().optional(),
  retry_reason: z.string().optional(),
});

export class SocketModeReceiver implements Receiver {
  private app: App | undefined;
  private readonly client: SocketModeClient;

  constructor(options: { appToken: string; apiUrl?: string; logger: BoltLogger; deliver: Deliver }) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: options.logger,
      clientOptions: options.apiUrl ? { slackApiUrl: options.apiUrl } : {},
    });
    this.client.on('slack_event', (raw: unknown) => {
      const parsed = slackEventSchema.safeParse(raw);
      if (!parsed.success) {
        options.logger.warn('Socket Mode: ignored a message that is not a Slack envelope');
        return;
      }
      const { body, ack: sendAck, retry_num, retry_reason } = parsed.data;
      const process = async (ack: SendAck) => {
        const event: ReceiverEvent = { body, ack, ...(retry_num !== undefined ? { retryNum: retry_num } : {}), ...(retry_reason ? { retryReason: retry_reason } : {}) };
        await this.app?.processEvent(event);
      };
      void options
        .deliver(sendAck, process)
        .catch((err: unknown) => options.logger.error(`Socket Mode delivery failed: ${err instanceof Error ? err.message : String(err)}`));
    });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Opens the connection; resolves once Slack has said hello. */
  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
