// Registers the slash command listeners.
import type { App } from '@slack/bolt';
import type { HandlerContext } from '../context.js';
import { spconnCommand } from './spconn.js';

export function registerCommands(app: App, ctx: HandlerContext): void {
  app.command('/spconn', spconnCommand(ctx));
}
