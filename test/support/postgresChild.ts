// A process that starts a PostgreSQL server and then ends as the test tells it (argv[2]):
// `wait` until a signal ends it, `exit` at once through process.exit. For postgresServers.test.ts.
import { startPostgres } from './postgres.js';

const server = await startPostgres();
if ('skipped' in server) {
  process.stdout.write(`${JSON.stringify({ skipped: server.skipped })}\n`);
  process.exit(0);
}
process.stdout.write(`${JSON.stringify({ url: server.url, dir: server.dir })}\n`);
if (process.argv[2] === 'exit') process.exit(0);
// Nothing else keeps the event loop busy: wait here for the signal.
setInterval(() => undefined, 60_000);
