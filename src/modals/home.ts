// A person's spconn Home tab (SPEC §12): what waits for their approval, their own requests, and the
// setup steps that wait for their Done. Pure: the page, gathered by src/requests/homes.ts, always
// renders the same view. The buttons are the card's own (same action, same value, same confirm), so
// a click on Home takes exactly the card's path; their action ids carry the request id after `~`
// because Slack wants every action id of a view unique.
import type { HomeView } from '@slack/types';
import type { RequestSummary } from '../requests/model.js';
import { shortDigest } from '../requests/lifecycle.js';
import type { ListedRequest } from '../store/requestStore.js';
import type { RequestState } from '../store/schema.js';
import { escapeMrkdwn, plain, truncate, type AnyBlock } from './blocks.js';
import { approveConfirmation, cancelConfirmation } from './confirmations.js';
import { approveValue, CARD_ACTIONS, confirmOf } from './requestCard.js';
import { mentionOf } from './mention.js';

/** Slack's limit for a Home tab view (docs.slack.dev, "Home tab views"). */
export const HOME_MAX_BLOCKS = 100;

/** How many entries each section shows at most; with the headings the page stays within 100 blocks. */
export const HOME_LIMITS = { awaiting: 20, open: 15, ended: 10, steps: 10 } as const;

export const HOME_CALLBACK_ID = 'spconn_home';

/** Separates a card action's id from the request id on Home: `request_approve~<request id>`. */
const SEPARATOR = '~';

/** The action id of a card button on Home, unique within the view. */
export function homeActionId(cardAction: string, requestId: string): string {
  return `${cardAction}${SEPARATOR}${requestId}`;
}

/** Matches a card action's id on the card and on Home alike, so both reach the same listener. */
export function cardOrHomeAction(cardAction: string): RegExp {
  return new RegExp(`^${cardAction}(?:${SEPARATOR}[A-Za-z0-9_-]+)?$`);
}

export interface HomeRequest {
  row: ListedRequest;
  summary: RequestSummary;
  /** The card's permalink, when Slack gave one. */
  permalink?: string;
  /** A quorum's progress: who approved so far, of how many needed (shown when more than one). */
  approvals?: { by: readonly string[]; required: number };
}

export interface HomeStep extends HomeRequest {
  step: string;
  /** mrkdwn from the setup's state machine, escaped there. */
  instruction: string;
}

export interface HomePage {
  userId: string;
  /** A word from spconn to this person (a click on Home that did not apply); spconn's own mrkdwn. */
  notice?: string;
  /** Pending requests this person may approve now, and how many there are in all. */
  awaiting: { items: HomeRequest[]; total: number };
  /** Their own requests: open ones (and how many), and the last ones that ended. */
  own: { open: HomeRequest[]; openTotal: number; ended: HomeRequest[] };
  /** Setup steps that wait for this person's Done, and how many there are in all. */
  steps: { items: HomeStep[]; total: number };
}

const STATE_LABEL: Record<RequestState, string> = {
  pending: ':hourglass_flowing_sand: Waiting for approval',
  approved: ':white_check_mark: Approved',
  running: ':gear: Running',
  succeeded: ':large_green_circle: Done',
  failed: ':red_circle: Failed',
  rejected: ':no_entry: Rejected',
  expired: ':zzz: Expired',
  cancelled: ':heavy_multiplication_x: Cancelled',
};

const verbOf = (action: string) => (action === 'delete' ? 'Delete' : action === 'replace' ? 'Replace' : action === 'edit' ? 'Edit' : action === 'rotate' ? 'Rotate' : 'Create');

/** "Create HTTPS connection `orders` in *sandbox*", escaped. */
function what(r: HomeRequest): string {
  return `${verbOf(r.row.action)} ${escapeMrkdwn(r.summary.typeLabel)} connection \`${escapeMrkdwn(r.row.connection_name)}\` in *${escapeMrkdwn(r.row.target_name)}*`;
}

function cardLink(r: HomeRequest): string {
  // A permalink comes from Slack (chat.getPermalink); without one, the channel is named instead.
  return r.permalink && /^https:\/\/[^\s|<>]+$/.test(r.permalink) ? `<${r.permalink}|Open the card>` : `card in <#${r.row.channel_id}>`;
}

const quorum = (r: HomeRequest) =>
  r.approvals ? ` · ${r.approvals.by.length} of ${r.approvals.required} approvals${r.approvals.by.length ? ` (${r.approvals.by.map(mentionOf).join(', ')})` : ''}` : '';

const date = (iso: string) => `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;

const section = (text: string, accessory?: Record<string, unknown>): AnyBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) }, ...(accessory ? { accessory } : {}) }) as AnyBlock;
const context = (text: string): AnyBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] });
const header = (text: string): AnyBlock => ({ type: 'header', text: plain(text) });
const more = (shown: number, total: number, where: string): AnyBlock[] => (total > shown ? [context(`…and ${total - shown} more ${where}.`)] : []);

export function homeView(page: HomePage): HomeView {
  const blocks: AnyBlock[] = [];
  if (page.notice) blocks.push(section(`:warning: ${page.notice}`));

  const awaiting = page.awaiting.items.slice(0, HOME_LIMITS.awaiting);
  blocks.push(header('Waiting for your approval'));
  if (awaiting.length === 0) blocks.push(context('Nothing waits for your approval.'));
  for (const r of awaiting) {
    blocks.push(
      section(`*${what(r)}*\nAsked by ${mentionOf(r.row.requester_id)} · expires ${date(r.row.expires_at)} · digest \`${shortDigest(r.row.digest)}\`${quorum(r)} · ${cardLink(r)}`),
      {
        type: 'actions',
        block_id: `home_decide_${r.row.id}`,
        elements: [
          {
            type: 'button',
            action_id: homeActionId(CARD_ACTIONS.approve, r.row.id),
            text: plain('Approve'),
            style: 'primary',
            value: approveValue(r.row),
            ...confirmOf(approveConfirmation(r.row.action, r.row.connection_name, r.summary.instance)),
          },
          { type: 'button', action_id: homeActionId(CARD_ACTIONS.reject, r.row.id), text: plain('Reject'), style: 'danger', value: r.row.id },
        ],
      },
    );
  }
  blocks.push(...more(awaiting.length, Math.max(page.awaiting.total, awaiting.length), 'waiting for your approval (oldest shown first)'));

  blocks.push({ type: 'divider' }, header('Your requests'));
  const open = page.own.open.slice(0, HOME_LIMITS.open);
  const ended = page.own.ended.slice(0, HOME_LIMITS.ended);
  if (open.length === 0 && ended.length === 0) blocks.push(context('You have not asked for anything yet. Start with `/spconn create`.'));
  for (const r of open) {
    const cancel =
      r.row.state === 'pending'
        ? {
            type: 'button',
            action_id: homeActionId(CARD_ACTIONS.cancel, r.row.id),
            text: plain('Cancel request'),
            value: r.row.id,
            confirm: cancelConfirmation(r.row.connection_name),
          }
        : undefined;
    blocks.push(section(`${STATE_LABEL[r.row.state]} · ${what(r)}\nAsked ${date(r.row.created_at)} · ${cardLink(r)}`, cancel));
  }
  blocks.push(...more(open.length, Math.max(page.own.openTotal, open.length), 'open requests of yours'));
  if (ended.length > 0) {
    blocks.push(context(`*Ended recently* (the last ${HOME_LIMITS.ended})`));
    for (const r of ended) blocks.push(section(`${STATE_LABEL[r.row.state]} · ${what(r)}\nEnded ${date(r.row.updated_at)} · ${cardLink(r)}`));
  }

  blocks.push({ type: 'divider' }, header('Waiting for you'));
  const steps = page.steps.items.slice(0, HOME_LIMITS.steps);
  if (steps.length === 0) blocks.push(context('No setup step waits for you.'));
  for (const s of steps) {
    blocks.push(
      section(`*Private Link setup:* ${what(s)} · ${cardLink(s)}\n:point_right: ${s.instruction}`, {
        type: 'button',
        action_id: homeActionId(CARD_ACTIONS.setupDone, s.row.id),
        style: 'primary',
        text: plain('Done'),
        value: `${s.row.id}:${s.step}`,
      }),
    );
  }
  blocks.push(...more(steps.length, Math.max(page.steps.total, steps.length), 'setup steps waiting for you'));
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks };
}
