// Everything the request lifecycle says in Slack: the card, its thread, ephemeral refusals.
// Slack failures here are logged and swallowed on purpose: the request's state lives in the
// store, and a lost thread reply must not undo or repeat an Atlas call.
import { mentionOf } from '../modals/mention.js';
import type { HomeView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Target } from '../config/file.js';
import type { Logger } from '../log.js';
import { cardText, requestCardBlocks, workflowReplyBlocks, type CardContext } from '../modals/requestCard.js';

export class RequestNotifier {
  constructor(
    private readonly slack: WebClient,
    private readonly logger: Logger,
  ) {}

  /** Posts the card; throws, since a request nobody can see must not stay pending. */
  async postCard(ctx: CardContext): Promise<{ channel: string; ts: string }> {
    const res = await this.slack.chat.postMessage({ channel: ctx.row.channel_id, text: cardText(ctx), blocks: requestCardBlocks(ctx) });
    if (!res.ts || !res.channel) throw new Error('chat.postMessage answered without ts');
    return { channel: res.channel, ts: res.ts };
  }

  async updateCard(ctx: CardContext): Promise<void> {
    if (!ctx.row.message_ts) return;
    await this.quietly('chat.update', () =>
      this.slack.chat.update({ channel: ctx.row.channel_id, ts: ctx.row.message_ts!, text: cardText(ctx), blocks: requestCardBlocks(ctx) }),
    );
  }

  async reply(ctx: Pick<CardContext, 'row'>, text: string): Promise<void> {
    if (!ctx.row.message_ts) return;
    await this.quietly('chat.postMessage', () =>
      this.slack.chat.postMessage({ channel: ctx.row.channel_id, thread_ts: ctx.row.message_ts!, text }),
    );
  }

  /** A thread reply with the buttons of a Private Link step, or the offer to delete a leftover link. */
  async replyWithButtons(ctx: Pick<CardContext, 'row'>, text: string, prompt?: { requestId: string; step: string }, offerLinkDeletion?: string): Promise<void> {
    if (!ctx.row.message_ts) return;
    const blocks = workflowReplyBlocks(text, prompt, offerLinkDeletion ? { requestId: ctx.row.id, linkId: offerLinkDeletion } : undefined);
    await this.quietly('chat.postMessage', () => this.slack.chat.postMessage({ channel: ctx.row.channel_id, thread_ts: ctx.row.message_ts!, text, blocks }));
  }

  async ephemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await this.quietly('chat.postEphemeral', () => this.slack.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }

  /** Mentions the owners in the card's thread, and in the approvals channel when one is set. */
  async pingOwners(ctx: CardContext, target: Target): Promise<void> {
    const mentions = [...target.owners.map((u) => `<@${u}>`), ...(target.ownerGroup ? [`<!subteam^${target.ownerGroup}>`] : [])].join(' ');
    await this.reply(ctx, `${mentions} a request for \`${ctx.row.connection_name}\` in *${target.name}* needs an owner's approval.`);
    if (target.approvalsChannel && ctx.row.message_ts) {
      await this.quietly('chat.getPermalink', async () => {
        const link = await this.slack.chat.getPermalink({ channel: ctx.row.channel_id, message_ts: ctx.row.message_ts! });
        await this.slack.chat.postMessage({
          channel: target.approvalsChannel!,
          text: `${mentions} ${mentionOf(ctx.row.requester_id)} asks to ${ctx.row.action} \`${ctx.row.connection_name}\` in *${target.name}*: ${link.permalink ?? ''}`,
        });
      });
    }
  }

  /** Publishes a person's Home tab; false when Slack refused it (logged, never thrown). */
  async publishHome(userId: string, view: HomeView): Promise<boolean> {
    try {
      await this.slack.views.publish({ user_id: userId, view });
      return true;
    } catch (err) {
      this.logger.error({ err, method: 'views.publish' }, 'Slack call failed');
      return false;
    }
  }

  /** The permalink of a message (a request's card), or undefined when Slack does not give one. */
  async permalink(channel: string, ts: string): Promise<string | undefined> {
    try {
      const res = await this.slack.chat.getPermalink({ channel, message_ts: ts });
      return typeof res.permalink === 'string' ? res.permalink : undefined;
    } catch (err) {
      this.logger.warn({ err, method: 'chat.getPermalink' }, 'Slack call failed');
      return undefined;
    }
  }

  private async quietly(method: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      this.logger.error({ err, method }, 'Slack call failed');
    }
  }
}
