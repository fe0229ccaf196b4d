// The Atlas look-ups a connection type's form may use, for one target: through the short-lived
// caches, and before the ack within its budget (an answer too slow is "unknown").
import type { Target } from '../config/file.js';
import type { AtlasLookups, MenuLookups } from '../connections/types.js';
import { withinAckBudget } from './ackBudget.js';
import type { HandlerContext } from './context.js';

/** For a menu's options (after the modal opened; Slack waits 3 s for options). */
export function menuLookups(ctx: HandlerContext, target: Target): MenuLookups {
  const atlas = ctx.atlas.for(target);
  return {
    authorisedRoles: () => ctx.roles.get(atlas, target.projectId),
    clusters: (projectId = target.projectId) => ctx.lookups.clusters(atlas, projectId),
    customRoles: () => ctx.lookups.customRoles(atlas, target.projectId),
    azureServicePrincipals: async () => (await ctx.lookups.principals(atlas, target.projectId)).azure,
    gcpServiceAccounts: async () => (await ctx.lookups.principals(atlas, target.projectId)).gcp,
  };
}

/** For a submission's checks: each look-up shares the ack budget; undefined when Atlas did not answer in time. */
export function ackLookups(ctx: HandlerContext, target: Target): AtlasLookups {
  const menu = menuLookups(ctx, target);
  return {
    authorisedRoles: () => withinAckBudget(ctx, menu.authorisedRoles),
    clusters: (projectId) => withinAckBudget(ctx, () => menu.clusters(projectId)),
    customRoles: () => withinAckBudget(ctx, menu.customRoles),
    azureServicePrincipals: () => withinAckBudget(ctx, menu.azureServicePrincipals),
    gcpServiceAccounts: () => withinAckBudget(ctx, menu.gcpServiceAccounts),
  };
}
