// An open-loop load generator: requests leave on a fixed schedule (one every 1/rate s) whether or
// not earlier ones were answered, over at most `connections` kept-alive sockets. Latency is taken
// from each request's scheduled time, so waiting for a free socket or a slow app counts (no
// coordinated omission). autocannon's `overallRate` is not this: it releases each connection's
// quota at the start of every second, in bursts, and records latencies with a 1 ms "expected
// interval" that adds synthetic samples.
import http from 'node:http';

export interface OpenLoopRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OpenLoopResult {
  /** Requests answered, per second of the schedule. */
  rps: number;
  total: number;
  non2xx: number;
  /** Scheduled send time to the end of the answer, ms. */
  latencies: number[];
}

export async function openLoop(options: {
  url: string;
  rate: number;
  connections: number;
  durationS: number;
  /** Builds request i just before it leaves; `scheduledAt` is its time on performance.timeOrigin's clock. */
  request: (i: number, scheduledAt: number) => OpenLoopRequest;
}): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.durationS);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  const inFlight: Array<Promise<void>> = [];
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    const { path, headers, body } = options.request(i, performance.timeOrigin + due);
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = http.request(new URL(path, options.url), { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) non2xx++;
            latencies.push(performance.now() - due);
            resolve();
          });
        });
        req.on('error', () => {
          non2xx++;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { rps: latencies.length / options.durationS, total: latencies.length, non2xx, latencies };
}
