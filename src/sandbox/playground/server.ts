// The playground's own small server, on 127.0.0.1 only: the static page, a JSON API the page
// calls, and Server-Sent Events that push the workspace and the Atlas panel whenever the
// emulators change. It signs and forwards to the app; the browser never sees the signing secret.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { SlackDriver } from '../slack/driver.js';
import { WORLD, type World } from '../world.js';
import { atlasPanel, connectionControlSchema, faultControlSchema, injectFault, privateLinkControlSchema, processorControlSchema, setConnection, setPrivateLink, setProcessor } from './atlasPanel.js';
import { pageValuesSchema } from './viewValues.js';
import { putSandboxSecret, sandboxSecretNameSchema } from '../sandboxSecrets.js';
import { PlaygroundError, Workspace, type Person } from './workspace.js';

export interface PlaygroundOptions {
  world: World;
  /** The app's base URL, e.g. http://127.0.0.1:3000 (its request URL is /slack/events). */
  appUrl: string;
  /** 0 for a free port. */
  port: number;
  logger: Logger;
  /** Moves the app's clock forward and runs its expiry, reminder and escalation scans (the "Skip ahead" buttons). */
  skipAhead?: (ms: number) => Promise<{ posted: number; expired: number; skippedMs: number }>;
  /** A connection change made in Atlas by a person, not spconn, then a drift scan (the "Change from outside" buttons). */
  outsideChange?: (change: OutsideChange) => Promise<{ status: number; posted: number; error?: string }>;
  /** After a "New version" button: a rotation scan now, saying how many rotations it opened. */
  newVersion?: () => Promise<{ rotations: number }>;
}

const outsideChangeSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('create'), name: z.string().min(1).max(64), url: z.url({ protocol: /^https$/ }) }),
  z.object({ action: z.literal('update'), name: z.string().min(1).max(64), url: z.url({ protocol: /^https$/ }) }),
  z.object({ action: z.literal('delete'), name: z.string().min(1).max(64) }),
]);
export type OutsideChange =
  | { action: 'create'; body: Record<string, unknown> }
  | { action: 'update'; name: string; body: Record<string, unknown> }
  | { action: 'delete'; name: string };

export interface Playground {
  url: string;
  workspace: Workspace;
  stop(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const MAX_BODY = 256 * 1024;

const userId = z.string().regex(/^U[A-Z0-9]+$/);
const schemas = {
  command: z.object({ as: userId, text: z.string().min(1).max(4000) }),
  messageAction: z.object({
    as: userId,
    message: z.object({ channel: z.string().max(40), ts: z.string().regex(/^\d+\.\d+$/), ephemeral: z.boolean() }),
    blockId: z.string().max(255),
    actionId: z.string().max(255),
  }),
  viewAction: z.object({ as: userId, viewId: z.string().max(40), values: pageValuesSchema, blockId: z.string().max(255), actionId: z.string().max(255) }),
  homeOpen: z.object({ as: userId }),
  homeAction: z.object({ as: userId, blockId: z.string().max(255), actionId: z.string().max(255) }),
  viewSubmit: z.object({ as: userId, viewId: z.string().max(40), values: pageValuesSchema }),
  viewClose: z.object({ as: userId, viewId: z.string().max(40) }),
  skipAhead: z.object({ hours: z.number().int().min(1).max(24) }),
  viewSuggest: z.object({ as: userId, viewId: z.string().max(40), values: pageValuesSchema, blockId: z.string().max(255), actionId: z.string().max(255), typed: z.string().max(500) }),
};

/** The sample people: a requester, the target's owners, and someone who may not approve. */
export function samplePeople(world: World): Person[] {
  const owners = new Set(world.config.targets.flatMap((t) => t.owners));
  const named = (id: string, name: string, fallbackRole: string): Person => ({ id, name, role: owners.has(id) ? 'owner' : fallbackRole });
  const escalation = world.config.targets.some((t) => t.escalateTo?.includes(WORLD.lead));
  return [
    named(WORLD.requester, 'Riley', 'requester'),
    named(WORLD.owner, 'Olivia', 'requester'),
    named(WORLD.owner2, 'Omar', 'requester'),
    named(WORLD.stranger, 'Sam', 'stranger'),
    ...(escalation ? [named(WORLD.lead, 'Lena', 'escalation')] : []),
  ];
}

export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const { world, logger } = options;
  const target = world.config.targets[0];
  if (!target) throw new Error('the playground needs a target in the sandbox config');
  const workspace = new Workspace(world.slack, new SlackDriver(options.appUrl, world.signingSecret, WORLD.team), samplePeople(world), { id: WORLD.channel, name: 'platform' });
  const files = new Map(readdirSync(STATIC_DIR).map((name) => [name === 'index.html' ? '/' : `/${name}`, name]));
  const streams = new Set<ServerResponse>();

  const state = (user: string) => ({ ...workspace.snapshot(user), atlas: atlasPanel(world.atlas, target.projectId, target.instance) });

  const api = async (path: string, body: unknown): Promise<unknown> => {
    switch (path) {
      case '/api/command': {
        const b = schemas.command.parse(body);
        await workspace.command(person(b.as), b.text);
        return {};
      }
      case '/api/message-action': {
        const b = schemas.messageAction.parse(body);
        await workspace.clickInMessage(person(b.as), b.message, b.blockId, b.actionId);
        return {};
      }
      case '/api/home-open': {
        const b = schemas.homeOpen.parse(body);
        await workspace.openHome(person(b.as));
        return {};
      }
      case '/api/home-action': {
        const b = schemas.homeAction.parse(body);
        await workspace.clickInHome(person(b.as), b.blockId, b.actionId);
        return {};
      }
      case '/api/view-action': {
        const b = schemas.viewAction.parse(body);
        await workspace.actInView(person(b.as), b.viewId, b.values, b.blockId, b.actionId);
        return {};
      }
      case '/api/view-submit': {
        const b = schemas.viewSubmit.parse(body);
        await workspace.submit(person(b.as), b.viewId, b.values);
        return {};
      }
      case '/api/view-close': {
        const b = schemas.viewClose.parse(body);
        await workspace.close(person(b.as), b.viewId);
        return {};
      }
      case '/api/view-suggest': {
        const b = schemas.viewSuggest.parse(body);
        return { options: await workspace.suggest(person(b.as), b.viewId, b.values, b.blockId, b.actionId, b.typed) };
      }
      case '/api/atlas/private-link':
        setPrivateLink(world.atlas, target.projectId, privateLinkControlSchema.parse(body));
        return {};
      case '/api/atlas/connection':
        setConnection(world.atlas, target.projectId, target.instance, connectionControlSchema.parse(body));
        return {};
      case '/api/atlas/processor':
        setProcessor(world.atlas, target.projectId, target.instance, processorControlSchema.parse(body));
        return {};
      case '/api/atlas/fault':
        injectFault(world.atlas, faultControlSchema.parse(body));
        return {};
      case '/api/atlas/clear-faults':
        world.atlas.clearFaults();
        return {};
      case '/api/atlas/outside-change': {
        if (!options.outsideChange) throw new PlaygroundError('This playground cannot change Atlas from outside.');
        const b = outsideChangeSchema.parse(body);
        return options.outsideChange(
          b.action === 'create'
            ? { action: 'create', body: { name: b.name, type: 'Https', url: b.url } }
            : b.action === 'update'
              ? { action: 'update', name: b.name, body: { url: b.url } }
              : { action: 'delete', name: b.name },
        );
      }
      case '/api/secrets/new-version': {
        const put = putSandboxSecret(world.secrets, sandboxSecretNameSchema.parse(body).name);
        return { ...put, ...(options.newVersion ? await options.newVersion() : {}) };
      }
      case '/api/clock/skip': {
        if (!options.skipAhead) throw new PlaygroundError('This playground has no clock to move.');
        return options.skipAhead(schemas.skipAhead.parse(body).hours * 3_600_000);
      }
      default:
        throw new NotFound();
    }
  };

  const person = (id: string): string => {
    if (!workspace.isPerson(id)) throw new PlaygroundError(`${id} is not one of the playground's people.`);
    return id;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, port: number): Promise<void> => {
    // Only pages served from this address may drive it (no DNS rebinding, no cross-site form posts).
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return send(res, 421, { error: 'Use the address the sandbox printed.' });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'GET') {
      const file = files.get(url.pathname);
      if (file) {
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        return void res.end(readFileSync(`${STATIC_DIR}${file}`));
      }
      if (url.pathname === '/api/people') return send(res, 200, { people: workspace.people });
      if (url.pathname === '/api/state') return send(res, 200, state(person(userId.parse(url.searchParams.get('as')))));
      if (url.pathname === '/api/events') return openStream(res, person(userId.parse(url.searchParams.get('as'))));
      return send(res, 404, { error: 'Not found' });
    }
    if (req.method !== 'POST' || !url.pathname.startsWith('/api/')) return send(res, 405, { error: 'Method not allowed' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, { error: 'Send JSON.' });
    const body = await readJson(req);
    return send(res, 200, { ok: true, ...(await api(url.pathname, body) as object) });
  };

  /** Pushes the person's view of the world whenever it changes, at most every 50 ms. */
  const openStream = (res: ServerResponse, user: string) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    streams.add(res);
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    const push = () => {
      timer = undefined;
      const json = JSON.stringify(state(user));
      if (json === last) return;
      last = json;
      res.write(`data: ${json}\n\n`);
    };
    const schedule = () => {
      timer ??= setTimeout(push, 50);
    };
    const unsubscribe = [world.slack.onChange(schedule), world.atlas.onChange(schedule), workspace.onChange(schedule)];
    // Views claimed and Private Links that move without a request still show within a second.
    const heartbeat = setInterval(() => {
      res.write(': keep-alive\n\n');
      schedule();
    }, 1000);
    res.on('close', () => {
      streams.delete(res);
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      for (const off of unsubscribe) off();
    });
    push();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res, port).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof z.ZodError) return send(res, 400, { error: 'The request does not fit the playground API.', issues: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      if (err instanceof PlaygroundError) return send(res, 409, { error: err.message });
      if (err instanceof NotFound) return send(res, 404, { error: 'Not found' });
      if (err instanceof BodyError) return send(res, 400, { error: err.message });
      // The message only: a request body may hold what someone typed into a modal.
      logger.error({ route: req.url?.split('?')[0], error: err instanceof Error ? err.message : String(err) }, 'playground request failed');
      return send(res, 500, { error: 'The playground could not do that; the sandbox log says why.' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    workspace,
    async stop() {
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class NotFound extends Error {}
class BodyError extends Error {}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BodyError('The request is too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError('The request is not JSON.');
  }
}
