// `views.open`, the one Slack call on the ack path of `/spconn create`, sent as JSON over the Slack
// transport. @slack/web-api spends about 0.6 ms of CPU per call on a 2.8 kB form (it redacts and
// stringifies the body and Slack's echo of the view for a debug line even with debug off, and
// url-encodes the view), more than the rest of spconn's ack path (bench/results/README.md). The
// call has nothing to retry: its trigger_id dies 3 s after the click or command.
import type { View } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { z } from 'zod';
import { SpconnError } from '../errors.js';
import { safeJson } from '../handlers/payloads.js';

const viewsOpenAnswer = z.object({
  ok: z.boolean(),
  error: z.string().optional(),
  view: z.object({ id: z.string() }).optional(),
  response_metadata: z.object({ messages: z.array(z.string()).optional() }).optional(),
});

export interface SlackViewsOptions {
  fetch: FetchFunction;
  botToken: string;
  /** Slack's Web API base, ending in a slash. */
  apiUrl?: string;
  /** A trigger_id lives 3 s; an answer later than that is useless. */
  timeoutMs?: number;
}

export class SlackViews {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SlackViewsOptions) {
    this.url = `${options.apiUrl ?? 'https://slack.com/api/'}views.open`;
    this.headers = { Authorization: `Bearer ${options.botToken}`, 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' };
  }

  /** Opens a modal; throws SLACK_VIEW_FAILED with Slack's error code (never the view) when Slack refuses. */
  async open(triggerId: string, view: View): Promise<{ viewId: string }> {
    let status: number;
    let text: string;
    try {
      const response = await this.options.fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ trigger_id: triggerId, view }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      throw new SpconnError('SLACK_VIEW_FAILED', 'Slack did not answer in time to open the form.', { cause });
    }
    const answer = status === 200 ? viewsOpenAnswer.safeParse(safeJson(text)) : undefined;
    if (!answer?.success) throw new SpconnError('SLACK_VIEW_FAILED', `Slack answered views.open with HTTP ${status}.`);
    if (!answer.data.ok || !answer.data.view) {
      const details = answer.data.response_metadata?.messages?.join('; ');
      throw new SpconnError('SLACK_VIEW_FAILED', `Slack refused to open the form: ${answer.data.error ?? 'no reason given'}${details ? ` (${details})` : ''}.`);
    }
    return { viewId: answer.data.view.id };
  }
}
