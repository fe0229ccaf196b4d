// The request card's context, read from the store (row, events, setup), and keeping the posted
// card up to date. Rendering is src/modals/requestCard.ts; this only gathers what it shows.
import type { Config } from '../config/file.js';
import { targetNamed } from '../management/targets.js';
import type { CardContext } from '../modals/requestCard.js';
import type { Approval, ListedRequest, RequestRow, RequestStore } from '../store/requestStore.js';
import { actionFor, checklist, waitingInstruction } from '../workflows/privateLinkMachine.js';
import { setupState } from '../workflows/privateLinkRunner.js';
import { approvalsRequiredFor, quorumActionOf, SPCONN_ACTOR } from './lifecycle.js';
import { outcomeSchema, requestSummarySchema } from './model.js';
import type { RequestNotifier } from './notifier.js';

export class RequestCards {
  /** With `config`, the card shows a quorum's progress ("1 of 2 approvals") and who approved. */
  constructor(
    private readonly deps: {
      store: RequestStore;
      notifier: RequestNotifier;
      config?: Config;
      /** Told after the card was brought up to date: whatever shows the request elsewhere (Home tabs) follows. */
      changed?: (row: RequestRow) => void;
    },
  ) {}

  /**
   * Who approved the stored call so far, and how many approvals it needs under the config now.
   * `known`: the request's approvals read already (a page reads those of all its requests at once).
   */
  async approvals(row: ListedRequest, known?: readonly Approval[]): Promise<{ by: string[]; required: number }> {
    const target = this.deps.config ? targetNamed(this.deps.config, row.target_name) : undefined;
    const required = target ? approvalsRequiredFor(target, quorumActionOf({ action: row.action, callKind: row.call_kind })) : 1;
    const by = (known ?? (await this.deps.store.approvals(row.id))).filter((a) => a.digest === row.digest).map((a) => a.approver_id);
    return { by, required };
  }

  async context(row: ListedRequest): Promise<CardContext> {
    const summary = requestSummarySchema.parse(JSON.parse(row.summary_json));
    const events = await this.deps.store.events(row.id);
    const approval = events.find((e) => e.to_state === 'approved');
    const ending = events.findLast((e) => e.to_state === row.state && (row.state === 'rejected' || row.state === 'cancelled'));
    const outcome = row.outcome_json ? outcomeSchema.parse(JSON.parse(row.outcome_json)).message : undefined;
    const setup = await setupState(this.deps.store, row.id);
    const waiting = setup ? waitingInstruction(setup) : undefined;
    const approvals = await this.approvals(row);
    return {
      ...(approvals.required > 1 || approvals.by.length > 1 ? { approvals } : {}),
      row,
      summary,
      ...(approval ? { approvedBy: approval.actor } : {}),
      ...(ending && ending.actor !== SPCONN_ACTOR ? { endedBy: ending.actor } : {}),
      ...(outcome !== undefined ? { outcome } : {}),
      ...(setup
        ? {
            checklist: checklist(setup),
            cancellable: actionFor(setup).kind !== 'finished',
            ...(waiting ? { waiting: { step: setup.step, instruction: waiting } } : {}),
          }
        : {}),
    };
  }

  /** The step of the request's setup that waits for a person, if any (what `context` shows as `waiting`, alone). */
  async waiting(row: Pick<RequestRow, 'id'>): Promise<{ step: string; instruction: string } | undefined> {
    const setup = await setupState(this.deps.store, row.id);
    const instruction = setup ? waitingInstruction(setup) : undefined;
    return setup && instruction ? { step: setup.step, instruction } : undefined;
  }

  async refresh(requestId: string): Promise<void> {
    const row = await this.deps.store.get(requestId);
    if (!row) return;
    await this.deps.notifier.updateCard(await this.context(row));
    this.deps.changed?.(row);
  }

  /** A private word to one person in the card's thread (a click or submission that did not apply). */
  async tell(requestId: string, userId: string, text: string): Promise<void> {
    const row = await this.deps.store.get(requestId);
    if (row) await this.deps.notifier.ephemeral(row.channel_id, userId, text, row.message_ts ?? undefined);
  }
}
