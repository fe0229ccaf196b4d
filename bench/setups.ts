// `npm run bench -- --setups` (or `npx tsx bench/setups.ts`): N Private Link setups at once against
// an Atlas token bucket, with one replica (SQLite) and with three on one PostgreSQL. Reports time to
// finish against the least time the bucket allows for the calls made, Atlas calls per setup, 429
// answers, and the peak RSS of one replica while the setups wait. Goals are reported, never asserted.
//
// Time is compressed `--scale=K` times (default 20), honestly on both sides: the emulator's bucket
// refills `capacity` per (60 / K) s, spconn's configured pacing is the same budget over the same
// window, and spconn's poll intervals are divided by K. Every ratio reported is therefore the one
// an uncompressed run would show, as long as neither process is CPU-bound (the CPU figures say).
//
// By default the target reaches Atlas with a service account (`--api-key` for the API key), and the
// emulator's access tokens live one hour compressed the same K times (3600 / K s): a token's expiry
// is a clock like the bucket's, so "tokens minted per hour of run time" is what an uncompressed run
// would mint. The count is the emulator's (the truth across replicas), checked against the sum of
// the replicas' `spconn_atlas_tokens_minted_total`.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorld, WORLD, type World } from '../src/sandbox/world.js';
import { SlackDriver, state } from '../test/support/slackDriver.js';
import { privateLinkValues } from '../test/support/privateLink.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres.js';
import { cpuSeconds, memoryMb, portFromLog, spawnLogged } from './processes.js';

const progress = (line: string) => process.stderr.write(`[setups] ${line}\n`);

export interface SetupsOptions {
  setups: number;
  replicas: number;
  /** Time compression factor (see the file's comment). */
  scale: number;
  capacity: number;
  /** Tokens added per (unscaled) minute. */
  refillPerMinute: number;
  /** Writes a heap snapshot of replica 0 while the setups wait (into this directory). */
  heapSnapshotDir?: string;
  /** `--heap-mb=N`: every replica runs with `--max-old-space-size=N`, as README's "Memory" advises. */
  heapMb?: number;
  /** Run the app from TypeScript through tsx (smoke runs) instead of dist/. */
  source: boolean;
  /** How the target reaches Atlas: a service account (default) or an API key. */
  auth: 'serviceAccount' | 'apiKey';
}

export interface SetupsResult {
  replicas: number;
  setups: number;
  finished: number;
  seconds: number;
  /** Authenticated Atlas calls from the approvals to the last setup's end. */
  calls: number;
  callsByOperation: Record<string, number>;
  /** The least time, in s, the bucket allows for `calls` starting full. */
  leastSeconds: number;
  limited: number;
  /** 429 answers after the first one (goal 0). */
  limitedAfterFirst: number;
  peakRssMb: number;
  cpuSeconds: number;
  snapshot?: string;
  /** Wall time of the whole run, replicas' start to the last setup's end (the submissions included). */
  runSeconds: number;
  /** With a service account: tokens the emulator minted during the whole run, and the replicas' metric summed. */
  tokens?: { minted: number; byMetrics: number | undefined; accounts: number; lifetimeS: number };
}

interface Replica {
  child: ChildProcess;
  url: string;
  log: string;
}

async function spawnReplica(world: World, dir: string, index: number, env: Record<string, string>, opts: SetupsOptions): Promise<Replica> {
  const log = join(dir, `replica-${index}.log`);
  const args = opts.source ? ['--import', 'tsx', 'src/main.ts'] : ['dist/main.js'];
  const flags = opts.heapSnapshotDir && index === 0 ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${opts.heapSnapshotDir}`] : [];
  // `SPCONN_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/x"`: extra node flags for replica 0 (profiles).
  if (opts.heapMb) flags.push(`--max-old-space-size=${opts.heapMb}`);
  if (index === 0 && process.env.SPCONN_BENCH_NODE_FLAGS) flags.push(...process.env.SPCONN_BENCH_NODE_FLAGS.split(' ').filter(Boolean));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, JSON.stringify(world.rawConfig));
  const child = spawnLogged(
    [...flags, ...args],
    {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: world.botToken,
      SLACK_SIGNING_SECRET: world.signingSecret,
      SLACK_API_URL: world.slack.url,
      SPCONN_CONFIG: configFile,
      SPCONN_DATA_DIR: join(dir, `data-${index}`),
      PORT: '0',
      HOST: '127.0.0.1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: world.aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: world.aws.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: world.secrets.url,
      ...env,
    },
    log,
  );
  const port = await portFromLog(child, log, `replica ${index}`);
  return { child, url: `http://127.0.0.1:${port}`, log };
}

/** The replicas' `spconn_atlas_tokens_minted_total`, summed (undefined when a replica does not say). */
async function tokensByMetrics(replicas: Replica[]): Promise<number | undefined> {
  let sum = 0;
  for (const r of replicas) {
    const text = await fetch(`${r.url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((res) => res.text(), () => '');
    const lines = text.split('\n').filter((l) => l.startsWith('spconn_atlas_tokens_minted_total{'));
    if (lines.length === 0) return undefined;
    for (const l of lines) sum += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function runSetups(opts: SetupsOptions): Promise<SetupsResult> {
  const windowMs = Math.round(60_000 / opts.scale);
  const scaled = (ms: number) => `${Math.max(1, Math.round(ms / opts.scale))}ms`;
  // Atlas's tokens live an hour; compressed like every other clock of the run.
  const tokenLifetimeS = Math.max(1, Math.round(3600 / opts.scale));
  const world = await startWorld({
    auth: opts.auth,
    triggerTtlMs: 600_000,
    configPatch: (raw) => {
      (raw.atlas as Record<string, unknown>).pacing = { calls: opts.capacity, per: `${windowMs}ms` };
      // spconn's default deadline per Atlas call (the world's 5 s is for tests).
      (raw.atlas as Record<string, unknown>).requestTimeout = '30s';
      // spconn's defaults (30 s to 5 min between polls), compressed like the bucket.
      raw.privateLink = { pollMin: scaled(30_000), pollMax: scaled(300_000), linkTimeout: '2h', connectionTimeout: '1h' };
      raw.replicas = { leaseTime: '5m', scanEvery: scaled(15_000) };
    },
    atlas: { rateLimitPerMinute: opts.capacity, rateLimitWindowMs: windowMs, privateLinkReadyAfterPolls: 2, connectionReadyAfterPolls: 1, tokenLifetimeS },
  });
  const dir = mkdtempSync(join(tmpdir(), 'spconn-setups-'));
  let pg: PostgresServer | undefined;
  const replicas: Replica[] = [];
  const runStarted = Date.now();
  try {
    const env: Record<string, string> = { SPCONN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    if (opts.replicas > 1) {
      const started = await startPostgres();
      if ('skipped' in started) throw new Error(started.skipped);
      pg = started;
      env.DATABASE_URL = pg.url;
    }
    for (let i = 0; i < opts.replicas; i++) replicas.push(await spawnReplica(world, dir, i, env, opts));
    progress(`${opts.replicas} replica(s) listening; submitting ${opts.setups} setups`);
    const drivers = replicas.map((r) => new SlackDriver(r.url, world.signingSecret, WORLD.team));
    const driverFor = (i: number) => drivers[i % drivers.length]!;

    // Submissions, through Slack as people send them (16 at a time), spread over the replicas.
    const openForm = async (driver: SlackDriver) => {
      for (let attempt = 0; ; attempt++) {
        const trigger = world.slack.issueTriggerId();
        await driver.command('create privatelink', { user: WORLD.requester, channel: WORLD.channel, triggerId: trigger });
        const opened = await world.slack.waitFor(() => [...world.slack.views.values()].some((v) => v.triggerId === trigger), 30_000).then(() => true, () => false);
        if (opened) return [...world.slack.views.values()].find((v) => v.triggerId === trigger)!;
        if (attempt === 4) throw new Error('the Private Link form did not open after 5 tries');
      }
    };
    const submit = async (i: number) => {
      const driver = driverFor(i);
      const id = `b${String(i).padStart(4, '0')}`;
      const domain = `${id}.us-east-1.aws.confluent.cloud`;
      const view = await openForm(driver);
      const cluster = { region: 'us-east-1', service: `com.amazonaws.vpce.us-east-1.vpce-svc-0${id}0123456789a`, domain, bootstrap: `lkc-${id}.${domain}:9092`, apiKey: 'ABCDEFGH12345678', apiSecret: 'bench-secret-value' };
      await driver.submitView({ ...view.view, id: view.id }, { target: { target: state.select('sandbox') }, connection_type: { connection_type_picked: state.select('privatelink') }, ...privateLinkValues(`pl-${id}`, 'serverless', cluster) }, { user: WORLD.requester });
    };
    for (let i = 0; i < opts.setups; i += 16) await Promise.all(Array.from({ length: Math.min(16, opts.setups - i) }, (_, k) => submit(i + k)));
    const isCard = (m: { threadTs?: string; text: string }) => !m.threadTs && m.text.includes('connection pl-');
    await world.slack.waitFor(() => world.slack.messages.filter(isCard).length >= opts.setups, 600_000);
    const cards = world.slack.messages.filter(isCard);

    // The bucket starts full: the submissions' name checks are not the setups' calls.
    await new Promise((r) => setTimeout(r, windowMs + 500));
    progress(`${cards.length} cards posted; approving them all at once`);
    const t0 = Date.now();
    const callsBefore = world.atlas.calls.length;
    const cpuBefore = replicas.map((r) => cpuSeconds(r.child.pid!));
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, memoryMb(replicas[0]!.child.pid!).rssMb)), 200);
    let snapshotAsked = false;
    for (let k = 0; k < cards.length; k += 50) {
      await Promise.all(cards.slice(k, k + 50).map((m, j) => driverFor(k + j).clickButton({ channel: m.channel, ts: m.ts, blocks: m.blocks }, 'request_approve', { user: WORLD.owner })));
    }

    // Bookkeeping in step with the emulator: new messages are read once, a card looked at again
    // only when chat.update changed it.
    const cardByTs = new Map(cards.map((c, i) => [c.ts, { card: c, i }]));
    const finished = new Set<string>();
    const seenUpdates = new Map<string, number>();
    const waiting = new Set<string>();
    const pressed = new Set<string>();
    let cursor = 0;
    const look = () => {
      const messages = world.slack.messages;
      for (; cursor < messages.length; cursor++) {
        const m = messages[cursor]!;
        if (m.threadTs && cardByTs.has(m.threadTs) && /^:(white_check_mark|x): <@/.test(m.text)) finished.add(m.threadTs);
      }
      for (const card of cards) {
        if (pressed.has(card.ts) || seenUpdates.get(card.ts) === card.updates) continue;
        seenUpdates.set(card.ts, card.updates);
        if (JSON.stringify(card.blocks).includes('privatelink_done')) waiting.add(card.ts);
      }
      if (!snapshotAsked && opts.heapSnapshotDir && world.atlas.count('createPrivateLink') >= opts.setups * 0.9) {
        snapshotAsked = true;
        replicas[0]!.child.kill('SIGUSR2');
      }
      return finished.size >= opts.setups || waiting.size > 0;
    };
    const deadline = Date.now() + Number(process.env.SPCONN_BENCH_DEADLINE_MS ?? 30 * 60_000);
    while (finished.size < opts.setups && Date.now() < deadline) {
      await world.slack.waitFor(look, deadline - Date.now()).catch(() => undefined);
      const ready = [...waiting].map((ts) => cardByTs.get(ts)!);
      waiting.clear();
      for (const c of ready) pressed.add(c.card.ts);
      // People click, 50 at a time at most: the setups reach this step together (one shared poll
      // saw their links ready), and a thousand connections opened at one instant is not Slack.
      for (let k = 0; k < ready.length; k += 50) {
        await Promise.all(ready.slice(k, k + 50).map((c) => driverFor(c.i).clickButton({ channel: c.card.channel, ts: c.card.ts, blocks: c.card.blocks }, 'privatelink_done', { user: WORLD.requester })));
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const runSeconds = (Date.now() - runStarted) / 1000;
    clearInterval(rssTimer);
    const tokens = opts.auth === 'serviceAccount' ? { minted: world.atlas.oauth.minted(), byMetrics: await tokensByMetrics(replicas), accounts: 1, lifetimeS: tokenLifetimeS } : undefined;
    const cpu = replicas.reduce((sum, r, i) => sum + cpuSeconds(r.child.pid!) - cpuBefore[i]!, 0);

    // The token endpoint is not an Admin API call and takes nothing from the project's bucket.
    const during = world.atlas.calls.slice(callsBefore).filter((c) => c.authenticated && c.operation !== 'mintToken' && c.operation !== 'revokeToken');
    const callsByOperation: Record<string, number> = {};
    for (const c of during) callsByOperation[c.operation ?? 'unknown'] = (callsByOperation[c.operation ?? 'unknown'] ?? 0) + 1;
    const limited = during.filter((c) => c.status === 429).length;
    const admitted = during.length - limited;
    // A bucket that starts full lets `capacity` calls through at once, then `refill` per minute.
    const leastSeconds = (Math.max(0, admitted - opts.capacity) / opts.refillPerMinute) * (windowMs / 1000);
    return {
      replicas: opts.replicas,
      setups: opts.setups,
      finished: finished.size,
      seconds,
      calls: admitted,
      callsByOperation,
      leastSeconds,
      limited,
      limitedAfterFirst: Math.max(0, limited - 1),
      peakRssMb: peakRss,
      cpuSeconds: cpu,
      snapshot: snapshotAsked ? opts.heapSnapshotDir : undefined,
      runSeconds,
      ...(tokens ? { tokens } : {}),
    };
  } finally {
    for (const r of replicas) r.child.kill();
    await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? new Promise((res) => r.child.once('exit', res)) : undefined)));
    await world.stop();
    await pg?.stop();
    if (process.env.SPCONN_BENCH_KEEP) progress(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Hours an uncompressed run would last. */
const uncompressedHours = (r: SetupsResult, scale: number) => (r.runSeconds * scale) / 3600;

/** The tokens cell: minted during the whole run against 1 per account per (started) hour of uncompressed run time. */
function tokensCell(r: SetupsResult, scale: number): string {
  if (!r.tokens) return 'n/a (API key)';
  const hours = uncompressedHours(r, scale);
  const goal = r.tokens.accounts * Math.max(1, Math.ceil(hours));
  const metrics = r.tokens.byMetrics === undefined ? '' : `; replicas' metric: ${r.tokens.byMetrics}`;
  return `${r.tokens.minted} in ${hours.toFixed(2)} h (goal ≤ ${goal}${metrics})`;
}

/** The report's lines for one run. */
export function describe(r: SetupsResult, scale: number): string[] {
  const ratio = r.leastSeconds > 0 ? (r.seconds / r.leastSeconds).toFixed(2) : 'n/a (the calls fit in the full bucket)';
  const ops = Object.entries(r.callsByOperation)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ${(n / r.setups).toFixed(2)}`)
    .join(', ');
  return [
    `| ${r.replicas} | ${r.finished}/${r.setups} | ${r.seconds.toFixed(1)} s | ${r.leastSeconds.toFixed(1)} s | ${ratio} | ${(r.calls / r.setups).toFixed(2)} | ${r.limited} (${r.limitedAfterFirst} after the first) | ${r.replicas === 1 ? `${r.peakRssMb.toFixed(0)} MB` : `${r.peakRssMb.toFixed(0)} MB (replica 0)`} | ${r.cpuSeconds.toFixed(1)} s | ${tokensCell(r, scale)} |`,
    `|  | calls per setup by operation: ${ops} | | | | | | | | |`,
  ];
}

export const TABLE_HEAD = [
  '| replicas | finished | time | least time the bucket allows | ratio (goal ≤ 1.15) | Atlas calls per setup | 429 answers (goal: none after the first) | peak RSS (goal < 200 MB) | app CPU | service-account tokens minted, whole run, uncompressed hours (goal: 1 per account per hour) |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

export async function setupsMain(): Promise<void> {
  const arg = (name: string, fallback: number) => Number(new RegExp(`^--${name}=(\\d+)$`).exec(process.argv.find((a) => a.startsWith(`--${name}=`)) ?? '')?.[1] ?? fallback);
  const smoke = process.argv.includes('--smoke');
  const opts: SetupsOptions = {
    setups: arg('setups', smoke ? 5 : 1000),
    replicas: 1,
    scale: arg('scale', smoke ? 600 : 20),
    capacity: 100,
    refillPerMinute: 100,
    source: smoke || process.argv.includes('--source'),
    ...(arg('heap-mb', 0) > 0 ? { heapMb: arg('heap-mb', 0) } : {}),
    heapSnapshotDir: process.argv.includes('--heap-snapshot') ? mkdtempSync(join(tmpdir(), 'spconn-heap-')) : undefined,
    auth: process.argv.includes('--api-key') ? 'apiKey' : 'serviceAccount',
  };
  const replicaCounts = process.argv.includes('--one') ? [1] : process.argv.includes('--three') ? [3] : [1, 3];
  process.stdout.write(
    [
      `## Private Link setups: ${opts.setups} serverless setups at once, Atlas bucket of ${opts.capacity} refilling ${opts.refillPerMinute} per minute`,
      '',
      `Time compressed ${opts.scale}×: the bucket refills ${opts.refillPerMinute} per ${60 / opts.scale} s, spconn's pacing and poll intervals are divided by ${opts.scale} too; "least time" is what that bucket, starting full, allows for the calls made.`,
      ...(opts.heapMb ? [`Each replica runs with --max-old-space-size=${opts.heapMb} (README, "Memory").`] : []),
      'Floor: 3 calls of its own per setup (request the link, look for the connection name, create the connection) plus its share of the list calls (the look for an existing link, the polls), which one replica shares between all its setups of a project.',
      opts.auth === 'serviceAccount'
        ? `The target authenticates with one service account; Atlas's tokens live 1 h, compressed to ${Math.max(1, Math.round(3600 / opts.scale))} s like the rest. Tokens are counted from the replicas' start to the last setup's end (submissions included), by the emulator; the goal is 1 per account per started hour of that time, uncompressed.`
        : 'The target authenticates with an API key (Digest).',
      '',
      ...TABLE_HEAD,
    ].join('\n') + '\n',
  );
  for (const replicas of replicaCounts) {
    const r = await runSetups({ ...opts, replicas });
    process.stdout.write(`${describe(r, opts.scale).join('\n')}\n`);
    if (r.snapshot) process.stdout.write(`heap snapshot in ${r.snapshot}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await setupsMain();
