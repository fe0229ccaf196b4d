// What every listener may use. Listeners parse, call the domain, and reply; nothing more.
import type { AtlasClients } from '../atlas/clients.js';
import type { AuthorisedRolesCache } from '../atlas/cloudProviderAccess.js';
import type { ProjectLookups } from '../atlas/projectLookups.js';
import type { Config } from '../config/file.js';
import type { Logger } from '../log.js';
import type { RequestCore } from '../requests/core.js';
import type { Rotations } from '../rotation/rotations.js';
import type { SlackViews } from '../slack/views.js';
import type { SecretReferences } from '../secrets/references.js';

export interface HandlerContext {
  config: Config;
  requests: RequestCore;
  /** The Atlas client of each target (commands and form checks; requests have their own use of it). */
  atlas: AtlasClients;
  logger: Logger;
  roles: AuthorisedRolesCache;
  /** Clusters, custom roles, Azure and GCP principals for the forms (short-lived caches). */
  lookups: ProjectLookups;
  /** Opens modals (views.open) on the ack path. */
  views: SlackViews;
  /** Reads `secretsmanager:` references in secret fields (checked at submission). */
  secretRefs: SecretReferences;
  /** Opens rotations (`/spconn rotate`). */
  rotations: Rotations;
}
