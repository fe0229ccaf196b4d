// Short-lived caches of what the create forms look up in a project (clusters, custom roles, Azure
// and GCP principals): a picker asks on every keystroke, and concurrent callers share one call.
import type { AtlasClient } from './client.js';
import { cloudPrincipals, type CloudPrincipals } from './cloudPrincipals.js';
import { listClusters, type ClusterSummary } from './clusters.js';
import { listCustomDbRoles } from './customDbRoles.js';

const TTL_MS = 60_000;

class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    const entry = { value, expiresAt: now + TTL_MS };
    this.entries.set(key, entry);
    // A failure is not remembered: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}

export class ProjectLookups {
  private readonly clusterCache = new TtlCache<ClusterSummary[]>();
  private readonly roleCache = new TtlCache<string[]>();
  private readonly principalCache = new TtlCache<CloudPrincipals>();

  clusters(atlas: AtlasClient, projectId: string): Promise<ClusterSummary[]> {
    return this.clusterCache.get(projectId, () => listClusters(atlas, projectId, 1));
  }

  customRoles(atlas: AtlasClient, projectId: string): Promise<string[]> {
    return this.roleCache.get(projectId, () => listCustomDbRoles(atlas, projectId, 1));
  }

  principals(atlas: AtlasClient, projectId: string): Promise<CloudPrincipals> {
    return this.principalCache.get(projectId, () => cloudPrincipals(atlas, projectId, 1));
  }
}
