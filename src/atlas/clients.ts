// One Atlas client per API key, all sharing one pacer per project: what every part of spconn
// uses to reach a target's project (commands, form checks, requests, Private Link setups).
import { apiKeySecretOf, type Config, type Target } from '../config/file.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SecretCache } from '../secrets/apiKeys.js';
import { AtlasClient } from './client.js';
import { ProjectPacer, type SharedBudget } from './pacer.js';

export class AtlasClients {
  private readonly clients = new Map<string, AtlasClient>();
  private readonly pacer: ProjectPacer;

  constructor(
    private readonly deps: { config: Config; secrets: SecretCache; logger: Logger; metrics?: Metrics; shared?: SharedBudget; signal?: AbortSignal },
  ) {
    this.pacer = new ProjectPacer({ calls: deps.config.atlas.pacing.calls, perMs: deps.config.atlas.pacing.per, logger: deps.logger, ...(deps.shared ? { shared: deps.shared } : {}) });
  }

  /** The client for the target's API key (targets sharing a key share a client and its Digest pool). */
  for(target: Target): AtlasClient {
    const { config, secrets, logger, metrics } = this.deps;
    const secretId = apiKeySecretOf(config, target);
    let client = this.clients.get(secretId);
    if (!client) {
      client = new AtlasClient({ baseUrl: config.atlas.baseUrl, apiKeySecret: secretId, secrets, logger, timeoutMs: config.atlas.requestTimeout, pacer: this.pacer, metrics, ...(this.deps.signal ? { signal: this.deps.signal } : {}) });
      this.clients.set(secretId, client);
    }
    return client;
  }
}
