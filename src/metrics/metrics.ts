// Prometheus metrics (prom-client), on a registry of the app's own so several apps can live in
// one process (the tests do). Labels are small, fixed sets: no ids, no user input, no names but the
// config file's (target names, service-account secret names).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read from the store when scraped. */
export interface StoreCounts {
  requestsByState(): Promise<Record<string, number>>;
  workflowsByStep(): Promise<Record<string, number>>;
  /** This process's claims on workflows so far (refused: another replica held the setup). */
  readonly workflowClaims?: { taken: number; refused: number };
}

export type SlackKind = 'slash_command' | 'view_submission' | 'view_closed' | 'block_actions' | 'block_suggestion' | 'event' | 'other';
export type SlackOutcome = 'ok' | 'unauthorized' | 'error';

export class Metrics {
  readonly registry = new Registry();

  readonly slackRequests = new Counter({
    name: 'spconn_slack_requests_total',
    help: 'Requests from Slack, by kind and outcome (ok: acknowledged; unauthorized: bad signature or timestamp; error: failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ackSeconds = new Histogram({
    name: 'spconn_slack_ack_seconds',
    help: 'Time from a Slack request arriving to its acknowledgement (Slack waits 3 s)',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [this.registry],
  });

  readonly atlasCalls = new Counter({
    name: 'spconn_atlas_calls_total',
    help: 'HTTP requests to the Atlas Administration API, by endpoint, method and status (network: no answer)',
    labelNames: ['endpoint', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly atlasSeconds = new Histogram({
    name: 'spconn_atlas_call_seconds',
    help: 'Latency of Atlas Administration API requests, Digest challenge included',
    labelNames: ['endpoint', 'method'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly atlasRateLimited = new Counter({
    name: 'spconn_atlas_rate_limited_total',
    help: "429 answers from Atlas (its token bucket was empty), by project, named by the config's target names on it",
    labelNames: ['project'] as const,
    registers: [this.registry],
  });

  readonly atlasTokensMinted = new Counter({
    name: 'spconn_atlas_tokens_minted_total',
    help: 'Access tokens this process minted for Atlas service accounts, by the Secrets Manager secret that holds the account (goal: one per account per hour across all replicas)',
    labelNames: ['secret'] as const,
    registers: [this.registry],
  });

  readonly secretFetches = new Counter({
    name: 'spconn_secrets_fetches_total',
    help: 'GetSecretValue calls to AWS Secrets Manager, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { store?: StoreCounts; processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'spconn_' });
    const { store } = options;
    if (!store) return;
    this.countsGauge('spconn_requests', 'Requests in the store, by state', 'state', () => store.requestsByState());
    this.countsGauge('spconn_workflows', 'Private Link setups in progress, by the step they are in', 'step', () => store.workflowsByStep());
    const claims = store.workflowClaims;
    if (claims) {
      new Counter({
        name: 'spconn_workflow_claims_total',
        help: 'Leases this replica tried to take on Private Link setups, by outcome (refused: another replica held it)',
        labelNames: ['outcome'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc({ outcome: 'taken' }, claims.taken);
          this.inc({ outcome: 'refused' }, claims.refused);
        },
      });
    }
  }

  /** A gauge whose values are counts read (from the store) each time it is scraped. */
  private countsGauge(name: string, help: string, label: string, read: () => Promise<Record<string, number>>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const [value, n] of Object.entries(counts)) this.set({ [label]: value }, n);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Kind of a Slack payload as Bolt parsed it. */
export function slackKindOf(body: unknown): SlackKind {
  if (typeof body !== 'object' || body === null) return 'other';
  if ('command' in body) return 'slash_command';
  const type = 'type' in body ? body.type : undefined;
  switch (type) {
    case 'view_submission':
    case 'view_closed':
    case 'block_actions':
    case 'block_suggestion':
      return type;
    case 'event_callback':
      return 'event';
    default:
      return 'other';
  }
}

/** Collections whose next path segment is an id or a name. */
const PARAMETER_AFTER: Record<string, string> = {
  groups: '{groupId}',
  streams: '{tenantName}',
  connections: '{connectionName}',
  privateLinkConnections: '{connectionId}',
  cloudProviderAccess: '{roleId}',
  processors: '{processorName}',
};

/**
 * The documented template of an Atlas path: `/groups/{groupId}/streams/{tenantName}/connections`.
 * Fixed words (accountDetails, privateLinkConnections) stay; everything that names a thing goes.
 */
export function atlasEndpoint(path: string): string {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const previous = out[out.length - 1];
    const isParameter = previous !== undefined && previous in PARAMETER_AFTER && !(segment in PARAMETER_AFTER) && segment !== 'accountDetails';
    out.push(isParameter ? PARAMETER_AFTER[previous]! : segment);
  }
  return `/${out.join('/')}`;
}
