// The benchmark's baseline: a bare Bolt app on the same HTTP receiver whose /spconn handler only
// acks and opens a fixed small view. spconn's ack path is judged against this.
import { readFileSync } from 'node:fs';
import { App, HTTPReceiver } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { BASELINE_SMALL_VIEW } from './smallView.js';

const signingSecret = process.env.SLACK_SIGNING_SECRET ?? '';
const receiver = new HTTPReceiver({ signingSecret, processBeforeResponse: false });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  deferInitialization: true,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL, timeout: 5_000, retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 } },
});
// BASELINE_VIEW: a file holding another view to open (the bench's `--same-view` passes spconn's
// create form), to tell the cost of the view's size from the cost of spconn's own code.
const view = process.env.BASELINE_VIEW
  ? (JSON.parse(readFileSync(process.env.BASELINE_VIEW, 'utf8')) as ModalView)
  : BASELINE_SMALL_VIEW;
app.command('/spconn', async ({ ack, body, client }) => {
  await ack();
  await client.views.open({ trigger_id: body.trigger_id, view }).catch(() => undefined);
});
await app.init();
const server = await receiver.start({ port: 0, host: '127.0.0.1' } as unknown as number);
const address = (server as unknown as { address(): { port: number } }).address();
process.stdout.write(`${JSON.stringify({ port: address.port, msg: 'baseline listening' })}\n`);
