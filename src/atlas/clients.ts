// One Atlas client per credential (API key or service account), all sharing one pacer per project:
// what every part of spconn uses to reach a target's project (commands, form checks, requests,
// Private Link setups).
import { atlasAuthOf, type Config, type Target } from '../config/file.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SecretCache } from '../secrets/apiKeys.js';
import { BearerAuth, DigestAuth, type AtlasAuth } from './auth.js';
import { AtlasClient } from './client.js';
import { ProjectPacer, type RefillAnswer, type SharedBudget } from './pacer.js';
import { streamsRefill } from './rateLimits.js';
import { TokenSource, type SharedTokens } from './serviceAccount.js';

export class AtlasClients {
  private readonly clients = new Map<string, AtlasClient>();
  private readonly tokenSources = new Map<string, TokenSource>();
  private readonly pacer: ProjectPacer;
  /** A project's metric label: the config's target names on it (metrics carry no Atlas ids). */
  private readonly projectLabels: Map<string, string>;

  constructor(
    private readonly deps: {
      config: Config;
      secrets: SecretCache;
      logger: Logger;
      metrics?: Metrics;
      /** With PostgreSQL: one service-account token shared by every replica (src/store/atlasTokens.ts). */
      sharedTokens?: SharedTokens;
      /** With PostgreSQL: Atlas's rate limit per project as one budget shared by every replica (sharedBudget.ts). */
      shared?: SharedBudget;
      signal?: AbortSignal;
    },
  ) {
    this.pacer = new ProjectPacer({
      calls: deps.config.atlas.pacing.calls,
      perMs: deps.config.atlas.pacing.per,
      logger: deps.logger,
      refillSource: (projectId) => this.statedRefill(projectId),
      ...(deps.shared ? { shared: deps.shared } : {}),
    });
    this.projectLabels = projectLabels(deps.config);
    // Every configured project's series exists from the start, at 0, so a rate of 429s can be graphed.
    for (const label of new Set(this.projectLabels.values())) deps.metrics?.atlasRateLimited.inc({ project: label }, 0);
  }

  /** Atlas's statement of the project's refill (`GET /rateLimits`), read with the credential of a target in that project. */
  private statedRefill(projectId: string): Promise<RefillAnswer> {
    const target = this.deps.config.targets.find((t) => t.projectId === projectId);
    if (!target) return Promise.resolve({ stated: false, reason: 'no target is in this project' });
    return streamsRefill(this.for(target), projectId);
  }

  /** The client for the target's credential (targets sharing one share a client, its Digest pool or its token). */
  for(target: Target): AtlasClient {
    const { config, logger, metrics } = this.deps;
    const ref = atlasAuthOf(config, target);
    const key = `${ref.kind}:${ref.secretId}`;
    let client = this.clients.get(key);
    if (!client) {
      const auth: AtlasAuth = ref.kind === 'apiKey' ? new DigestAuth(this.deps.secrets, ref.secretId) : new BearerAuth(this.tokenSource(ref.secretId));
      const onRateLimited = (projectId: string) => metrics?.atlasRateLimited.inc({ project: this.projectLabels.get(projectId) ?? 'other' });
      client = new AtlasClient({ baseUrl: config.atlas.baseUrl, auth, logger, timeoutMs: config.atlas.requestTimeout, pacer: this.pacer, metrics, onRateLimited, ...(this.deps.signal ? { signal: this.deps.signal } : {}) });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Tokens minted by this process, per service account secret (tests and the bench read it). */
  tokensMinted(): number {
    return [...this.tokenSources.values()].reduce((sum, source) => sum + source.minted, 0);
  }

  private tokenSource(secretId: string): TokenSource {
    let source = this.tokenSources.get(secretId);
    if (!source) {
      const { config, secrets, logger, sharedTokens, metrics } = this.deps;
      metrics?.atlasTokensMinted.inc({ secret: secretId }, 0);
      const onMinted = () => metrics?.atlasTokensMinted.inc({ secret: secretId });
      source = new TokenSource({ baseUrl: config.atlas.baseUrl, secretId, secrets, logger, timeoutMs: config.atlas.requestTimeout, onMinted, ...(sharedTokens ? { shared: sharedTokens } : {}) });
      this.tokenSources.set(secretId, source);
    }
    return source;
  }
}

/** Each configured project's label: the names of the targets on it, in config order, joined by commas. */
function projectLabels(config: Config): Map<string, string> {
  const names = new Map<string, string[]>();
  for (const target of config.targets) names.set(target.projectId, [...(names.get(target.projectId) ?? []), target.name]);
  return new Map([...names].map(([projectId, targets]) => [projectId, [...new Set(targets)].join(',')]));
}
