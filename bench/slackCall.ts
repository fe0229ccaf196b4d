// `npx tsx bench/slackCall.ts`: CPU per views.open, in one process against a local server that
// answers like Slack (echoing the view), for the three ways spconn could send it: @slack/web-api
// over Node's built-in fetch (what a bare Bolt app does), web-api over spconn's transport, and
// spconn's own views.open (JSON over the transport). For the baseline's small view and spconn's
// create form. The figures include the local server's share, the same for every row.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { View } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { parseConfig } from '../src/config/file.js';
import { connectionType } from '../src/connections/index.js';
import { createModal } from '../src/modals/createModal.js';
import { startWorld } from '../src/sandbox/world.js';
import { slackTransport } from '../src/slack/transport.js';
import { SlackViews } from '../src/slack/views.js';
import { BASELINE_SMALL_VIEW } from './smallView.js';

const CALLS = Number(process.argv[2] ?? 3000);

async function main(): Promise<void> {
  const world = await startWorld();
  const targets = parseConfig(world.rawConfig, 'bench').targets;
  await world.stop();
  const views: Record<string, View> = {
    'small view': BASELINE_SMALL_VIEW,
    'create form': createModal(connectionType('https'), targets, { channelId: 'C0BENCH' }),
  };

  let answer = '';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  const transport = slackTransport();
  const ways: Record<string, (view: View) => Promise<unknown>> = {
    'web-api over built-in fetch': (() => {
      const web = new WebClient('fake-bot-token-for-the-bench', { slackApiUrl: apiUrl });
      return (view) => web.views.open({ trigger_id: 't', view });
    })(),
    'web-api over spconn transport': (() => {
      const web = new WebClient('fake-bot-token-for-the-bench', { slackApiUrl: apiUrl, fetch: transport });
      return (view) => web.views.open({ trigger_id: 't', view });
    })(),
    'spconn views.open (JSON)': (() => {
      const opener = new SlackViews({ fetch: transport, botToken: 'fake-bot-token-for-the-bench', apiUrl });
      return (view) => opener.open('t', view);
    })(),
  };

  console.log(`| view | bytes | way | CPU µs per call |\n|---|---|---|---|`);
  for (const [viewName, view] of Object.entries(views)) {
    // Slack answers views.open with the whole view, ids and state added.
    answer = JSON.stringify({ ok: true, view: { id: 'V0BENCH', team_id: 'T0BENCH', ...view, state: { values: {} }, hash: '1.abc', root_view_id: 'V0BENCH' } });
    for (const [wayName, call] of Object.entries(ways)) {
      for (let i = 0; i < 300; i++) await call(view);
      const before = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) await call(view);
      const used = process.cpuUsage(before);
      console.log(`| ${viewName} | ${JSON.stringify(view).length} | ${wayName} | ${((used.user + used.system) / CALLS).toFixed(0)} |`);
    }
  }
  transport.close();
  server.close();
}

await main();
