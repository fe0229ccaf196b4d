// The emulators in a process of their own, for the ack-path runs: the load generator and the
// emulators then do not take turns on one event loop, so what is timed is the apps, not the bench.
// Talks to its parent over IPC: prints nothing but one JSON line describing the world.
import { z } from 'zod';
import { startWorld } from '../src/sandbox/world.js';

const requestSchema = z.discriminatedUnion('cmd', [
  z.object({ id: z.number(), cmd: z.literal('triggers'), n: z.number().int().min(1).max(100_000) }),
  z.object({ id: z.number(), cmd: z.literal('opens') }),
  z.object({ id: z.number(), cmd: z.literal('forget') }),
  z.object({ id: z.number(), cmd: z.literal('stop') }),
]);
export type WorldRequest = z.infer<typeof requestSchema>;

/** What the bench needs to configure an app against this world. */
export const worldInfoSchema = z.object({
  slackUrl: z.string(),
  secretsUrl: z.string(),
  botToken: z.string(),
  signingSecret: z.string(),
  rawConfig: z.record(z.string(), z.unknown()),
  aws: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
});
export type WorldInfo = z.infer<typeof worldInfoSchema>;

if (process.send) {
  // Triggers are issued ahead in batches, so they must outlive a whole run.
  const world = await startWorld({ triggerTtlMs: 30 * 60_000 });
  const info: WorldInfo = {
    slackUrl: world.slack.url,
    secretsUrl: world.secrets.url,
    botToken: world.botToken,
    signingSecret: world.signingSecret,
    rawConfig: world.rawConfig,
    aws: world.aws,
  };
  const forgetCalls = () => {
    world.slack.calls.length = 0;
    world.slack.views.clear();
  };
  process.on('message', (raw: unknown) => {
    const request = requestSchema.parse(raw);
    const reply = (result: unknown) => process.send!({ id: request.id, result });
    switch (request.cmd) {
      case 'triggers':
        return reply(Array.from({ length: request.n }, () => world.slack.issueTriggerId()));
      case 'opens': {
        // views.open calls since the last ask: which trigger, and when it arrived (epoch ms). The
        // emulator then forgets them and their views: tens of thousands of recorded 3 kB forms
        // would grow this process's heap run after run, and its collections would show up as
        // latency of whichever app was being measured.
        const opens: Array<[string, number]> = [];
        for (const c of world.slack.calls) if (c.method === 'views.open') opens.push([String(c.args.trigger_id), c.at]);
        forgetCalls();
        return reply({ opens, pending: world.slack.inFlight });
      }
      case 'forget':
        // Before a run: what earlier runs left (calls, views, unused triggers) goes.
        forgetCalls();
        world.slack.forgetTriggers();
        return reply(null);
      case 'stop':
        void world.stop().then(() => {
          reply(null);
          process.exit(0);
        });
        return;
    }
  });
  process.send({ id: 0, result: info });
}
