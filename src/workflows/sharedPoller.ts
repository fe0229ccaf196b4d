// One list call per project serves every waiting setup of the process: instead of one GET per
// Private Link (or connection) per poll, the setups of one project that poll at about the same
// time share one `list` of the project's links (or of the instance's connections).
//
// Rounds: at most one list call per key is in flight; setups that ask meanwhile gather into the
// next round, which starts when the current one ends. A caller says how fresh the answer must be
// (`since`, a time): a round that started at or after it serves the caller, even one already
// answered (a poll may take a list made a little before its own turn); otherwise it joins the
// gathering round, whose call leaves after the ask, so it always reflects Atlas after the ask.
import type { AtlasClient } from '../atlas/client.js';
import { listPrivateLinks, type PrivateLink } from '../atlas/privateLinks.js';
import { listConnections, type StreamsConnection, type StreamsLocation } from '../atlas/streams.js';

/** Atlas's largest page for these lists: a thousand links are two calls, not ten. */
const PAGE = 500;

interface Round<T> {
  /** When the list call was made; undefined while the round still gathers callers. */
  startedAt: number | undefined;
  result: Promise<T[]>;
  settled: boolean;
}

interface Lane<T> {
  current?: Round<T>;
  gathering?: Round<T>;
}

export class SharedPoller {
  private readonly lanes = new WeakMap<AtlasClient, Map<string, Lane<unknown>>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The project's Private Links, from a list call made at or after `since`. */
  links(atlas: AtlasClient, projectId: string, since: number): Promise<PrivateLink[]> {
    return this.ask<PrivateLink>(atlas, `links:${projectId}`, since, () => listPrivateLinks(atlas, projectId, PAGE));
  }

  /** The instance's connections, from a list call made at or after `since`. */
  connections(atlas: AtlasClient, at: StreamsLocation, since: number): Promise<StreamsConnection[]> {
    return this.ask<StreamsConnection>(atlas, `connections:${at.projectId}/${at.instance}`, since, () => listConnections(atlas, at, PAGE));
  }

  private ask<T>(atlas: AtlasClient, key: string, since: number, list: () => Promise<T[]>): Promise<T[]> {
    let byKey = this.lanes.get(atlas);
    if (!byKey) {
      byKey = new Map();
      this.lanes.set(atlas, byKey);
    }
    let lane = byKey.get(key) as Lane<T> | undefined;
    if (!lane) {
      lane = {};
      byKey.set(key, lane as Lane<unknown>);
    }
    const current = lane.current;
    if (current?.startedAt !== undefined && current.startedAt >= since) return current.result;
    if (lane.gathering) return lane.gathering.result;

    const l = lane;
    const round: Round<T> = { startedAt: undefined, settled: false, result: undefined as unknown as Promise<T[]> };
    const previous = current && !current.settled ? current.result.then(() => undefined, () => undefined) : Promise.resolve();
    // A macrotask first: the setups whose timers fire together all join this round.
    round.result = previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        l.gathering = undefined;
        l.current = round;
        round.startedAt = this.now();
        return list();
      })
      .finally(() => {
        round.settled = true;
        // A failed round is not kept: the next ask makes a new call.
        void round.result.catch(() => {
          if (l.current === round) l.current = undefined;
        });
        if (!l.current && !l.gathering) byKey.delete(key);
      });
    lane.gathering = round;
    return round.result;
  }
}
