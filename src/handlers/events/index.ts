// Registers the Events API listeners (manifest.yml `bot_events`; src/slack/deliveryBody.ts admits these only).
import type { App } from '@slack/bolt';
import type { HandlerContext } from '../context.js';
import { homeOpened } from './appHome.js';

export function registerEvents(app: App, ctx: HandlerContext): void {
  app.event('app_home_opened', homeOpened(ctx));
}
