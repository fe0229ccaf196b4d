// Running approved requests: one runner per request, by construction. The replica that approved
// holds the request's lease from the approval on (renewed while it works); a replica never starts a
// second runner of a request it runs already; a request whose lease ran out (its replica died) is
// taken over and resumed, looking in Atlas before doing anything again.
import type { AtlasClients } from '../atlas/clients.js';
import { createConnection, deleteConnection, getConnection, updateConnection } from '../atlas/streams.js';
import type { Config } from '../config/file.js';
import { SpconnError } from '../errors.js';
import type { Logger } from '../log.js';
import { escapeMrkdwn } from '../modals/blocks.js';
import { forRequest } from '../logContext.js';
import { targetNamed } from '../management/targets.js';
import { referencePaths, resolveAll, substituteReferences, type SecretReferences } from '../secrets/references.js';
import type { Sealer } from '../secrets/sealing.js';
import type { ConnectionSecretRefs } from '../store/secretRefs.js';
import type { RequestRow, RequestStore } from '../store/requestStore.js';
import type { RequestState } from '../store/schema.js';
import type { AtlasClient } from '../atlas/client.js';
import type { RequestAnnouncer } from './announcements.js';
import { readStoredCall, type StoredCall } from './calls.js';
import type { RequestCards } from './cards.js';
import { SPCONN_ACTOR } from './lifecycle.js';
import type { WorkInFlight } from './work.js';
import type { PrivateLinkSetups } from './setups.js';
import { performReplace, REPLACE_WORKFLOW } from './replace.js';

export interface ExecutionDeps {
  config: Config;
  store: RequestStore;
  sealer: Sealer;
  atlas: AtlasClients;
  cards: RequestCards;
  announcer: RequestAnnouncer;
  setups: PrivateLinkSetups;
  work: WorkInFlight;
  logger: Logger;
  replicaId: string;
  secretRefs: SecretReferences;
  connectionRefs: ConnectionSecretRefs;
}

type Outcome = { state: Extract<RequestState, 'succeeded' | 'failed'>; message: string; atlasState?: string };

export class RequestExecution {
  /** Requests this process is running now: never a second runner of one of them. */
  private readonly running = new Set<string>();

  constructor(private readonly deps: ExecutionDeps) {}

  /** Runs an approved request (or resumes an interrupted one) in the background, unless it runs here already. */
  start(requestId: string, opts: { resuming: boolean }): void {
    if (this.running.has(requestId)) return;
    this.running.add(requestId);
    this.deps.work.spawn('request execution', () =>
      forRequest(requestId, () => this.leased(requestId, opts.resuming)).finally(() => this.running.delete(requestId)),
    );
  }

  /** Approved or running requests nobody holds a lease on: a stopped replica's unfinished work. */
  async resumeInterrupted(): Promise<void> {
    // A workflow row is a Private Link setup's (its runner resumes it), or a replace's progress marker.
    for (const row of await this.deps.store.interrupted({ workflowKind: REPLACE_WORKFLOW })) {
      if (this.running.has(row.id)) continue;
      this.deps.logger.info({ requestId: row.id, state: row.state }, 'resuming interrupted request');
      this.start(row.id, { resuming: true });
    }
  }

  private async leased(requestId: string, resuming: boolean): Promise<void> {
    const { store, replicaId, config } = this.deps;
    const leaseTime = config.replicas.leaseTime;
    // With several replicas, the one holding the lease does the work; the others leave it.
    if (!(await store.claimRequest(requestId, replicaId, leaseTime))) return;
    // Renew the lease while the Atlas call runs, so no other replica takes over work in progress.
    const heartbeat = setInterval(() => void store.claimRequest(requestId, replicaId, leaseTime).catch(() => undefined), leaseTime / 3);
    heartbeat.unref();
    try {
      await this.claimed(requestId, resuming);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async claimed(requestId: string, resuming: boolean): Promise<void> {
    const { store } = this.deps;
    const row = await store.get(requestId);
    if (!row) return;
    if (row.state === 'approved') {
      if (!(await store.transition({ id: row.id, from: ['approved'], to: 'running', actor: SPCONN_ACTOR }))) return;
    } else if (!(row.state === 'running' && resuming)) {
      return;
    }
    await this.deps.cards.refresh(row.id);
    let outcome: Outcome;
    try {
      const { call, atlas } = this.openCall(row);
      if (call.kind === 'privatelink') {
        // The setup takes it from here and ends the request when it finishes.
        await this.deps.setups.start(row.id, call.plan);
        return;
      }
      const { ready, remembered } = await this.withReferencesRead(call);
      outcome = ready.kind === 'replace' ? await performReplace(this.deps.store, atlas, row.id, ready) : await perform(atlas, ready, resuming);
      if (outcome.state === 'succeeded') await this.remember(row.target_name, ready, remembered);
    } catch (err) {
      const message = err instanceof SpconnError ? err.userMessage : 'spconn hit an unexpected error; an operator can find it in the logs.';
      this.deps.logger.error({ err, requestId }, 'Atlas call failed');
      outcome = { state: 'failed', message };
    }
    const ended = await store.transition({
      id: row.id,
      from: ['running'],
      to: outcome.state,
      actor: SPCONN_ACTOR,
      dropSecrets: true,
      outcome: { message: outcome.message, state: outcome.atlasState },
    });
    // Another replica that took over ended it first: the request ends once, and says so once.
    if (ended) await this.deps.announcer.announce(requestId);
  }

  /**
   * The call with every `secretsmanager:` reference read now (a fresh read: a version put after the
   * approval is the one sent) and put in place, its values added to what Atlas's echoes are scrubbed
   * of. An unreadable reference fails the request, naming it.
   */
  private async withReferencesRead<C extends Exclude<StoredCall, { kind: 'privatelink' }>>(call: C): Promise<{ ready: C; remembered: Array<{ fieldPath: string; reference: string; versionId: string | null }> }> {
    if (call.kind === 'delete' || !call.refs?.length) return { ready: call, remembered: [] };
    const { values, versions } = await resolveAll(this.deps.secretRefs, call.refs);
    const remembered = referencePaths(call.body, call.refs).map(({ path, ref }) => ({ fieldPath: path.join('.'), reference: ref.trim(), versionId: versions.get(ref) ?? null }));
    const ready = { ...call, body: substituteReferences(call.body, values), secretValues: [...call.secretValues, ...values.values()] };
    return { ready, remembered };
  }

  /**
   * Which references the connection now uses, for `show` and rotation: a create or replace writes
   * every field, a delete leaves none, an edit overwrites only the fields its PATCH carries.
   */
  private async remember(targetName: string, call: Exclude<StoredCall, { kind: 'privatelink' }>, refs: Array<{ fieldPath: string; reference: string; versionId: string | null }>): Promise<void> {
    const name = call.kind === 'delete' ? call.name : call.body.name;
    try {
      if (call.kind === 'delete') await this.deps.connectionRefs.forget(targetName, name);
      else if (call.kind === 'edit' || call.kind === 'rotate') await this.deps.connectionRefs.overwrite(targetName, name, leafPaths(call.body), refs, new Date());
      else await this.deps.connectionRefs.remember(targetName, name, refs, new Date());
    } catch (err) {
      // The connection is made; only the record for rotation is missing. Say so in the log, not as a failure.
      this.deps.logger.error({ err, connection: name }, 'could not remember the secret references of the connection');
    }
  }

  /** The approved call, checked against the digest the owner approved, and the client to send it with. */
  private openCall(row: RequestRow): { call: StoredCall; atlas: AtlasClient } {
    const target = targetNamed(this.deps.config, row.target_name);
    if (!target) throw new SpconnError('TARGET_REMOVED', `Target ${row.target_name} is no longer configured; nothing was sent to Atlas.`);
    if (!row.sealed_call) throw new SpconnError('REQUEST_ENDED', 'The request no longer holds its Atlas call; nothing was sent.');
    const opened = readStoredCall(this.deps.sealer.open(row.sealed_call, row.id));
    if (!opened || this.deps.sealer.digest(opened.digested) !== row.digest) {
      throw new SpconnError('DIGEST_MISMATCH', 'The stored Atlas call does not match what was approved; nothing was sent.');
    }
    return { call: opened.call, atlas: this.deps.atlas.for(target) };
  }
}

/** The approved call itself; each kind is safe to repeat after a crash or an ambiguous failure. */
async function perform(atlas: AtlasClient, call: Exclude<StoredCall, { kind: 'privatelink' | 'replace' }>, resuming: boolean): Promise<Outcome> {
  switch (call.kind) {
    case 'delete': {
      const existing = resuming ? await getConnection(atlas, call.at, call.name) : true;
      if (existing) await deleteConnection(atlas, call.at, call.name, { alreadyGoneIsSuccess: true });
      return { state: 'succeeded', message: `Connection \`${call.name}\` is deleted from ${call.at.instance}.` };
    }
    case 'edit': {
      // The same PATCH again after a crash changes nothing more: it is sent without looking first.
      const updated = await updateConnection(atlas, call.at, call.body, call.secretValues);
      const fields = Object.keys(call.body).filter((k) => k !== 'name' && k !== 'type');
      return {
        state: 'succeeded',
        ...(updated.state ? { atlasState: updated.state } : {}),
        message: `Connection \`${call.body.name}\` is updated in ${call.at.instance} (${fields.map((f) => `\`${escapeMrkdwn(f)}\``).join(', ')}).`,
      };
    }
    case 'rotate': {
      // As an edit: the same PATCH again changes nothing more.
      const updated = await updateConnection(atlas, call.at, call.body, call.secretValues);
      return {
        state: 'succeeded',
        ...(updated.state ? { atlasState: updated.state } : {}),
        message: `Connection \`${call.body.name}\` is rotated in ${call.at.instance}: Atlas has the secrets' current versions.`,
      };
    }
    case 'create': {
      // A replica that died may have created it already: look before creating when taking over.
      const created = await createConnection(atlas, call.at, call.body, call.secretValues, { lookFirst: resuming });
      const state = created.state;
      return {
        state: 'succeeded',
        ...(state ? { atlasState: state } : {}),
        message:
          state && state !== 'READY'
            ? `Atlas accepted connection \`${call.body.name}\`; its state is ${escapeMrkdwn(state)}. It can take a while to become READY.`
            : `Connection \`${call.body.name}\` is created in ${call.at.instance} and ready to use.`,
      };
    }
  }
}

/** The dotted path of every value a body sets (what a PATCH overwrites). */
function leafPaths(value: unknown, prefix: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return prefix.length ? [prefix.join('.')] : [];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}
