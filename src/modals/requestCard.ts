// The request card: the channel message that shows what will be sent to Atlas, who asked, the
// state, and the buttons. Pure: the same request always renders the same blocks.
import { mentionOf } from './mention.js';
import type { ListedRequest, RequestRow } from '../store/requestStore.js';
import type { RequestState } from '../store/schema.js';
import type { RequestSummary } from '../requests/model.js';
import { shortDigest } from '../requests/lifecycle.js';
import type { ChecklistItem } from '../workflows/privateLinkMachine.js';
import { escapeMrkdwn, plain, truncate, type AnyBlock } from './blocks.js';
import { approveConfirmation, cancelConfirmation } from './confirmations.js';

/** Spreads a `confirm` only when there is one (an absent key, not `confirm: undefined`). */
export const confirmOf = <T>(confirm: T | undefined): { confirm?: T } => (confirm ? { confirm } : {});

export const CARD_ACTIONS = {
  approve: 'request_approve',
  reject: 'request_reject',
  cancel: 'request_cancel',
  setupDone: 'privatelink_done',
  setupCancel: 'privatelink_cancel',
  deleteLink: 'privatelink_delete_link',
} as const;
export const CARD_BLOCKS = { actions: 'request_actions' } as const;

/** The Approve button's value binds the click to the exact call shown: `<request id>:<digest>`. */
export function approveValue(row: Pick<RequestRow, 'id' | 'digest'>): string {
  return `${row.id}:${shortDigest(row.digest)}`;
}

export function parseButtonValue(value: string): { requestId: string; digest?: string } {
  const [requestId = '', digest] = value.split(':', 2);
  return { requestId, digest };
}

const STATE_LINE: Record<RequestState, string> = {
  pending: ':hourglass_flowing_sand: Waiting for an owner to approve',
  approved: ':white_check_mark: Approved; starting',
  running: ':gear: Running in Atlas',
  succeeded: ':large_green_circle: Done',
  failed: ':red_circle: Failed',
  rejected: ':no_entry: Rejected',
  expired: ':zzz: Expired without a decision',
  cancelled: ':heavy_multiplication_x: Cancelled',
};

export interface CardContext {
  row: ListedRequest;
  summary: RequestSummary;
  /** The owner who approved it, once approved. */
  approvedBy?: string;
  /** A quorum: who approved so far (each once) and how many approvals it needs. */
  approvals?: { by: readonly string[]; required: number };
  /** The person who rejected or cancelled it (not spconn, which expires and fails requests). */
  endedBy?: string;
  outcome?: string;
  /** A Private Link setup's steps. */
  checklist?: ChecklistItem[];
  /** The setup can still be cancelled. */
  cancellable?: boolean;
  /** What a person must do now, with the step it belongs to (shows Done on the card). */
  waiting?: { step: string; instruction: string };
}

const CHECK: Record<string, string> = { done: ':white_check_mark:', current: ':hourglass_flowing_sand:', todo: ':white_circle:', skipped: ':heavy_minus_sign:', failed: ':x:' };

/** The card's verb: REPLACE in capitals, as it deletes the connection before creating it again. */
function verbOf(action: string): string {
  return ({ delete: 'Delete', edit: 'Edit', replace: 'REPLACE', rotate: 'ROTATE' } as Record<string, string>)[action] ?? 'Create';
}

export function cardText(ctx: CardContext): string {
  const { row, summary } = ctx;
  const verb = verbOf(row.action);
  return `${verb} ${summary.typeLabel} connection ${row.connection_name} in ${row.target_name}: ${row.state}`;
}

export function requestCardBlocks(ctx: CardContext): AnyBlock[] {
  const { row, summary } = ctx;
  const verb = verbOf(row.action);
  const blocks: AnyBlock[] = [
    { type: 'header', text: plain(truncate(`${verb} ${summary.typeLabel} connection ${row.connection_name}`, 150)) },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Target*\n${escapeMrkdwn(row.target_name)}` },
        { type: 'mrkdwn', text: `*Instance*\n${escapeMrkdwn(summary.instance)} (project \`${summary.projectId}\`)` },
        { type: 'mrkdwn', text: `*Connection name*\n\`${escapeMrkdwn(row.connection_name)}\`` },
        { type: 'mrkdwn', text: `*Requested by*\n${mentionOf(row.requester_id)}` },
        ...summary.fields.slice(0, 6).map(([label, text]) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${text}`, 2000) })),
      ],
    },
  ];
  if (summary.notes) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(summary.notes, 2000) }] });
  let state = STATE_LINE[row.state];
  if ((row.state === 'rejected' || row.state === 'cancelled') && ctx.endedBy) state += ` by <@${ctx.endedBy}>`;
  else if (ctx.approvals && ctx.approvals.by.length > 0 && row.state !== 'pending') state += ` · approved by ${ctx.approvals.by.map((u) => `<@${u}>`).join(', ')}`;
  else if (ctx.approvedBy && row.state !== 'pending') state += ` · approved by <@${ctx.approvedBy}>`;
  if (ctx.approvals && row.state === 'pending') {
    const { by, required } = ctx.approvals;
    state += `\n${by.length} of ${required} approvals${by.length > 0 ? `: ${by.map((u) => `<@${u}>`).join(', ')}` : ''}`;
  }
  if (ctx.outcome) state += `\n${truncate(ctx.outcome, 2500)}`;
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: state } });
  if (ctx.checklist) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ctx.checklist.map((c) => `${CHECK[c.status]} ${c.label}`).join('\n') } });
    if (row.state === 'running' && ctx.waiting) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:point_right: ${truncate(ctx.waiting.instruction, 2900)}` } });
    }
    if (row.state === 'running' && ctx.cancellable) {
      blocks.push({
        type: 'actions',
        block_id: 'setup_actions',
        elements: [
          ...(ctx.waiting ? [{ type: 'button' as const, action_id: CARD_ACTIONS.setupDone, style: 'primary' as const, text: plain('Done'), value: `${row.id}:${ctx.waiting.step}` }] : []),
          { type: 'button', action_id: CARD_ACTIONS.setupCancel, text: plain('Cancel setup'), value: row.id },
        ],
      });
    }
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Request \`${row.id}\` · call digest \`${shortDigest(row.digest)}\` · expires <!date^${Math.floor(Date.parse(row.expires_at) / 1000)}^{date_short_pretty} {time}|${row.expires_at}>`,
      },
    ],
  });
  if (row.state === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: CARD_BLOCKS.actions,
      elements: [
        {
          type: 'button',
          action_id: CARD_ACTIONS.approve,
          text: plain('Approve'),
          style: 'primary',
          value: approveValue(row),
          ...confirmOf(approveConfirmation(row.action, row.connection_name, summary.instance)),
        },
        { type: 'button', action_id: CARD_ACTIONS.reject, text: plain('Reject'), style: 'danger', value: row.id },
        { type: 'button', action_id: CARD_ACTIONS.cancel, text: plain('Cancel request'), value: row.id, confirm: cancelConfirmation(row.connection_name) },
      ],
    });
  }
  return blocks;
}

/** A Private Link step's thread reply, with Done / Cancel for the step a person must act in. */
export function workflowReplyBlocks(text: string, prompt?: { requestId: string; step: string }, deletion?: { requestId: string; linkId: string }): AnyBlock[] {
  const blocks: AnyBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }];
  if (prompt) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: CARD_ACTIONS.setupDone, style: 'primary', text: plain('Done'), value: `${prompt.requestId}:${prompt.step}` },
        { type: 'button', action_id: CARD_ACTIONS.setupCancel, text: plain('Cancel setup'), value: prompt.requestId },
      ],
    });
  }
  if (deletion) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: CARD_ACTIONS.deleteLink,
          style: 'danger',
          text: plain('Delete the Private Link'),
          value: `${deletion.requestId}:${deletion.linkId}`,
          confirm: { title: plain('Delete the Private Link?'), text: plain(`Private Link ${deletion.linkId} will be deleted in Atlas.`), confirm: plain('Delete'), deny: plain('Keep it') },
        },
      ],
    });
  }
  return blocks;
}
