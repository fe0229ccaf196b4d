// Which target a command means: the one named (if this channel may use it), or the only one here.
import type { Config, Target } from '../config/file.js';
import { escapeMrkdwn } from '../modals/blocks.js';

export function targetNamed(config: Config, name: string): Target | undefined {
  return config.targets.find((t) => t.name === name);
}

/** The targets a channel may use: all, except those restricted to other channels. */
export function targetsFor(config: Config, channelId: string): Target[] {
  return config.targets.filter((t) => !t.channels || t.channels.includes(channelId));
}

export type TargetChoice = { ok: true; target: Target } | { ok: false; message: string };

export function chooseTarget(allowed: readonly Target[], all: readonly Target[], named: string | undefined, form: string): TargetChoice {
  const names = allowed.map((t) => `\`${t.name}\``).join(', ');
  if (named) {
    const target = allowed.find((t) => t.name === named);
    if (target) return { ok: true, target };
    if (all.some((t) => t.name === named)) return { ok: false, message: `Target \`${escapeMrkdwn(named)}\` may not be used from this channel.` };
    return { ok: false, message: `There is no target \`${escapeMrkdwn(named.slice(0, 40))}\`.${names ? ` Targets here: ${names}.` : ''}` };
  }
  if (allowed.length === 1) return { ok: true, target: allowed[0]! };
  if (allowed.length === 0) return { ok: false, message: 'No spconn target may be used from this channel. Ask your platform team which channel to use.' };
  return { ok: false, message: `Which target? \`/spconn ${form}\` with one of ${names}.` };
}
