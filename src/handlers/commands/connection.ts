// Looks up the connection a subcommand names, or tells the caller it is not there.
import { getConnection, type StreamsConnection } from '../../atlas/streams.js';
import type { Target } from '../../config/file.js';
import { escapeMrkdwn } from '../../modals/blocks.js';
import type { CommandCall } from './reply.js';

const ATLAS_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export async function namedConnection(call: CommandCall, target: Target, name: string): Promise<StreamsConnection | undefined> {
  const connection = ATLAS_NAME.test(name) ? await getConnection(call.ctx.atlas.for(target), target, name) : undefined;
  if (!connection) {
    await call.reply(`There is no connection \`${escapeMrkdwn(name)}\` in ${escapeMrkdwn(target.instance)} (${escapeMrkdwn(target.name)}). \`/spconn list ${escapeMrkdwn(target.name)}\` shows what there is.`);
  }
  return connection;
}
