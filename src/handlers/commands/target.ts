// The target a subcommand means (named, or the only one this channel may use); refused in the ack otherwise.
import type { Target } from '../../config/file.js';
import { chooseTarget, targetsFor } from '../../management/targets.js';
import type { CommandCall } from './reply.js';

export async function targetOrRefuse({ ctx, slash, ack }: CommandCall, named: string | undefined, form: string): Promise<Target | undefined> {
  const choice = chooseTarget(targetsFor(ctx.config, slash.channel_id), ctx.config.targets, named, form);
  if (choice.ok) return choice.target;
  await ack({ response_type: 'ephemeral', text: choice.message });
  return undefined;
}
