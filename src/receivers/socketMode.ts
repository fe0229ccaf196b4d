// Socket Mode: Slack's deliveries arrive over a WebSocket the app opens with its app-level token
// (no public URL needed). The same Bolt app and handlers serve them; each delivery runs through
// `deliver`, which gives it the same request-id scope and metrics as an HTTP delivery.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/logger';
import { SocketModeClient } from '@slack/socket-mode';
import { z } from 'zod';
import { checkDeliveryBody } from '../slack/deliveryBody.js';

export type SendAck = (response?: unknown) => Promise<void>;

/**
 * Runs one delivery: `process` hands it to Bolt with the ack it is given; `sendAck` answers Slack.
 * The caller wraps the ack to time it and runs `process` in the delivery's logging scope.
 */
export type Deliver = (sendAck: SendAck, process: (ack: SendAck) => Promise<void>) => Promise<void>;

const slackEventSchema = z.object({
  body: z.unknown(),
  ack: z.custom<SendAck>((v) => typeof v === 'function'),
  retry_num: z.number().optional(),
  retry_reason: z.string().optional(),
});

/**
 * The messages Slack sends over the socket. The client reads `type` of every message and, for an
 * Events API envelope, `payload.event.type`, in a listener whose failure nobody catches.
 */
const envelopeSchema = z.union([
  z.looseObject({ type: z.enum(['hello', 'disconnect']) }),
  z.looseObject({ type: z.literal('events_api'), envelope_id: z.string(), payload: z.looseObject({ event: z.looseObject({ type: z.string() }) }) }),
  z.looseObject({ type: z.enum(['slash_commands', 'interactive']), envelope_id: z.string(), payload: z.unknown() }),
]);

/** Slack's client, with messages it would crash on dropped before it reads them. */
class CheckedSocketModeClient extends SocketModeClient {
  constructor(
    options: ConstructorParameters<typeof SocketModeClient>[0],
    private readonly warn: (message: string) => void,
  ) {
    super(options);
  }

  protected override async onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    if (!isBinary && !envelopeSchema.safeParse(parseJson(data)).success) {
      this.warn('Socket Mode: ignored a message that is not a Slack envelope');
      return;
    }
    try {
      await super.onWebSocketMessage(data, isBinary);
    } catch (err) {
      this.warn(`Socket Mode: a message could not be handled: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function parseJson(data: string | ArrayBuffer): unknown {
  try {
    return JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}

export class SocketModeReceiver implements Receiver {
  private app: App | undefined;
  private readonly client: SocketModeClient;

  constructor(options: { appToken: string; apiUrl?: string; logger: BoltLogger; deliver: Deliver }) {
    const { logger } = options;
    this.client = new CheckedSocketModeClient(
      {
        appToken: options.appToken,
        logger,
        clientOptions: options.apiUrl ? { slackApiUrl: options.apiUrl } : {},
      },
      (message) => logger.warn(message),
    );
    this.client.on('slack_event', (raw: unknown) => {
      const parsed = slackEventSchema.safeParse(raw);
      if (!parsed.success) {
        logger.warn('Socket Mode: ignored a message that is not a Slack envelope');
        return;
      }
      const { body, ack: sendAck, retry_num, retry_reason } = parsed.data;
      const checked = checkDeliveryBody(body);
      const process = async (ack: SendAck) => {
        // Left unacknowledged, as an HTTP delivery answered 400 would be: Slack tells the user it failed.
        if (!checked.ok || checked.kind === 'ssl_check' || checked.kind === 'url_verification') {
          logger.warn(`Slack delivery refused: ${checked.ok ? `${checked.kind} does not come over Socket Mode` : checked.problem}`);
          return;
        }
        const event: ReceiverEvent = { body: body as ReceiverEvent['body'], ack, ...(retry_num !== undefined ? { retryNum: retry_num } : {}), ...(retry_reason ? { retryReason: retry_reason } : {}) };
        await this.app?.processEvent(event);
      };
      void options.deliver(sendAck, process).catch((err: unknown) => logger.error(`Socket Mode delivery failed: ${err instanceof Error ? err.message : String(err)}`));
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
