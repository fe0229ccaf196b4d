// Rotation watching (README, "Rotating a connection's secrets"): every `rotation.watchEvery`, one
// DescribeSecret per referenced secret (not per field; the secret's value is never read here),
// and for each connection whose remembered version is no longer AWSCURRENT, claim the new
// versions in the store and open the rotation (rotations.ts) in the target's approvals channel.
// A claim makes it once per new version across restarts and replicas; an open rotation of the
// connection holds off a new one. Errors are logged and the next period tries again.
import { PeriodicScan } from '../workflows/periodicScan.js';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import { targetNamed } from '../management/targets.js';
import { SPCONN_ACTOR } from '../requests/lifecycle.js';
import { parseSecretReference } from '../secrets/references.js';
import type { RotationStore } from '../store/rotationStore.js';
import type { ConnectionRef, ConnectionSecretRefs } from '../store/secretRefs.js';
import type { Rotations } from './rotations.js';

export interface RotationWatcherDeps {
  config: Config;
  refs: ConnectionSecretRefs;
  store: RotationStore;
  rotations: Rotations;
  secretsManager: SecretsManagerClient;
  logger: Logger;
  now?: () => Date;
}

/** What one scan did, per connection with a new version (tests and the playground read it). */
export interface RotationScanResult {
  target: string;
  connection: string;
  outcome: 'opened' | 'performed' | 'open-already' | 'claimed-already' | 'skipped' | 'failed';
}

const describeSchema = z.object({ VersionIdsToStages: z.record(z.string(), z.array(z.string())).optional() });

export class RotationWatcher {
  private readonly periodic = new PeriodicScan<RotationScanResult>(() =>
    this.scanAll().catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'rotation watching failed; will retry next period');
      return [];
    }),
  );
  private readonly abort = new AbortController();

  constructor(private readonly deps: RotationWatcherDeps) {}

  /** Scans every `rotation.watchEvery` (nothing when it is not set). */
  start(): void {
    this.periodic.start(this.deps.config.rotation.watchEvery);
  }

  /** Stops the timer, cancels Secrets Manager calls in flight and waits for the scan. */
  async stop(): Promise<void> {
    const stopping = this.periodic.stop();
    this.abort.abort();
    await stopping;
  }

  /** One scan now (the timer, tests and the playground); one at a time. */
  scan(): Promise<RotationScanResult[]> {
    return this.periodic.scan();
  }

  private async scanAll(): Promise<RotationScanResult[]> {
    const remembered = await this.deps.refs.all();
    const secretIds = new Set<string>();
    const idOf = new Map<ConnectionRef, string>();
    for (const ref of remembered) {
      const parsed = parseSecretReference(ref.reference);
      if (!parsed.ok) continue;
      idOf.set(ref, parsed.ref.secretId);
      secretIds.add(parsed.ref.secretId);
    }
    // One DescribeSecret per secret, however many fields and connections use it.
    const current = new Map<string, string>();
    for (const secretId of secretIds) {
      if (this.periodic.stopped) return [];
      const version = await this.currentVersion(secretId);
      if (version !== undefined) current.set(secretId, version);
    }
    const byConnection = new Map<string, ConnectionRef[]>();
    for (const ref of remembered) {
      const key = JSON.stringify([ref.target, ref.connection]);
      byConnection.set(key, [...(byConnection.get(key) ?? []), ref]);
    }
    const results: RotationScanResult[] = [];
    for (const refs of byConnection.values()) {
      const changed = new Set<string>();
      for (const ref of refs) {
        const secretId = idOf.get(ref);
        const now = secretId === undefined ? undefined : current.get(secretId);
        if (secretId !== undefined && now !== undefined && now !== ref.versionId) changed.add(`${secretId}=${now}`);
      }
      if (changed.size === 0 || this.periodic.stopped) continue;
      results.push(await this.rotate(refs[0]!.target, refs[0]!.connection, [...changed].sort()));
    }
    return results;
  }

  /** The secret's AWSCURRENT version id, or undefined (logged) when it cannot be told now. */
  private async currentVersion(secretId: string): Promise<string | undefined> {
    const { config, secretsManager, logger } = this.deps;
    const abortSignal = AbortSignal.any([AbortSignal.timeout(config.secrets.readTimeout), this.abort.signal]);
    try {
      const out = describeSchema.parse(await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal }));
      const current = Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'));
      return current?.[0];
    } catch (err) {
      logger.warn({ secretId, error: err instanceof Error ? err.name : 'Error' }, 'rotation watching could not describe a referenced secret; will retry next period');
      return undefined;
    }
  }

  private async rotate(targetName: string, connection: string, versions: string[]): Promise<RotationScanResult> {
    const { config, store, rotations, logger } = this.deps;
    const result = (outcome: RotationScanResult['outcome']): RotationScanResult => ({ target: targetName, connection, outcome });
    const target = targetNamed(config, targetName);
    const channel = target?.approvalsChannel ?? target?.channels?.[0];
    if (!target || channel === undefined) {
      logger.warn({ target: targetName, connection }, 'a referenced secret has a new version, but the target is gone or has no channel to post in');
      return result('skipped');
    }
    // While a rotation of the connection is open, it is the one that will send the new value.
    if (await store.openRotation(targetName, connection)) return result('open-already');
    const key = versions.join(',');
    if (!(await store.claim(targetName, connection, key, this.now()))) return result('claimed-already');
    const secrets = versions.map((v) => v.slice(0, v.lastIndexOf('='))).join(', ');
    try {
      const outcome = await rotations.open({ target, name: connection, requesterId: SPCONN_ACTOR, channelId: channel, reason: `a new version of ${secrets} in Secrets Manager` });
      logger.info({ target: targetName, connection, outcome: outcome.kind }, 'rotation watching noticed a new secret version');
      if (outcome.kind === 'submitted') return result(outcome.auto ? 'performed' : 'opened');
      if (outcome.kind === 'already-open') return result('open-already');
      return result('skipped');
    } catch (err) {
      // Not opened: the claim goes back, and the next period tries again.
      await store.release(targetName, connection, key);
      logger.warn({ err, target: targetName, connection }, 'rotation watching could not open a rotation; will retry next period');
      return result('failed');
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
