// Read-only questions about requests: an owner's audit trail and a requester's open requests.
// They return data; src/modals/ turns it into Slack text.
import type { Config, Target } from '../config/file.js';
import { SpconnError } from '../errors.js';
import { escapeMrkdwn } from '../modals/blocks.js';
import { AUDIT_LIMIT, type AuditEntry, type AuditReport } from '../modals/audit.js';
import type { ListedRequest, RequestStore } from '../store/requestStore.js';
import { SPCONN_ACTOR } from './lifecycle.js';
import { outcomeSchema, requestSummarySchema } from './model.js';
import type { OwnerDirectory } from './owners.js';

export interface QueryDeps {
  config: Config;
  store: RequestStore;
  owners: OwnerDirectory;
  now: () => Date;
}

export class RequestQueries {
  constructor(private readonly deps: QueryDeps) {}

  /** `/spconn audit`: recent requests on the targets `userId` owns (or on the one named, if an owner of it). */
  async audit(userId: string, targetName: string | undefined, days: number): Promise<AuditReport> {
    const { config, owners, store } = this.deps;
    const named = targetName === undefined ? undefined : config.targets.find((t) => t.name === targetName);
    if (targetName !== undefined && !named) {
      const known = config.targets.map((t) => t.name).join(', ');
      throw new SpconnError('UNKNOWN_TARGET', `There is no target \`${escapeMrkdwn(targetName.slice(0, 40))}\`. Targets: ${known}.`);
    }
    const owned: Target[] = [];
    for (const target of named ? [named] : config.targets) {
      if (await owners.isOwner(target, userId)) owned.push(target);
    }
    if (owned.length === 0) {
      throw new SpconnError(
        'NOT_AUTHORISED',
        named ? `Only an owner of *${named.name}* can see its audit trail.` : 'The audit trail is for owners of a spconn target, and you are not one.',
      );
    }
    const since = new Date(this.deps.now().getTime() - days * 86_400_000);
    const { rows, total, events } = await store.recentRequests(owned.map((t) => t.name), since, AUDIT_LIMIT);
    const entries = rows.map((row): AuditEntry => {
      const summary = requestSummarySchema.parse(JSON.parse(row.summary_json));
      const decided = events.find((e) => e.request_id === row.id && (e.to_state === 'approved' || e.to_state === 'rejected' || e.to_state === 'cancelled'));
      return {
        id: row.id,
        createdAt: row.created_at,
        action: row.action,
        typeLabel: summary.typeLabel,
        connectionName: row.connection_name,
        target: row.target_name,
        requesterId: row.requester_id,
        state: row.state,
        ...(decided && decided.actor !== SPCONN_ACTOR
          ? { decision: { verb: decided.to_state as 'approved' | 'rejected' | 'cancelled', by: decided.actor, ...(decided.note ? { note: decided.note } : {}) } }
          : {}),
        fields: summary.fields,
        ...(row.outcome_json ? { outcome: outcomeSchema.parse(JSON.parse(row.outcome_json)).message } : {}),
      };
    });
    return { targets: owned.map((t) => t.name), days, entries, total };
  }

  /** `/spconn status`: the caller's open requests, or the one asked for. */
  async openRequests(userId: string, requestId?: string): Promise<ListedRequest[]> {
    return (await this.deps.store.openRequestsOf(userId)).filter((r) => !requestId || r.id === requestId);
  }
}
