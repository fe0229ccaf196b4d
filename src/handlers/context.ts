// What every listener may use. Listeners parse, call the domain, and reply; nothing more.
import type { AuthorisedRolesCache } from '../atlas/cloudProviderAccess.js';
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import type { RequestService } from '../requests/service.js';
import type { SlackViews } from '../slack/views.js';

export interface HandlerContext {
  config: Config;
  requests: RequestService;
  logger: Logger;
  roles: AuthorisedRolesCache;
  /** Opens modals (views.open) on the ack path. */
  views: SlackViews;
}
