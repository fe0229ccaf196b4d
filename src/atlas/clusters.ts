// The project's clusters, for the Cluster connection type's picker: name, state and whether paused.
import { z } from 'zod';
import type { AtlasClient } from './client.js';

/** `stateName` values the spec lists; an unknown one is kept as text and treated as busy. */
export const CLUSTER_STATES = ['IDLE', 'CREATING', 'UPDATING', 'DELETING', 'REPAIRING'] as const;

const clusterSchema = z.looseObject({
  name: z.string(),
  stateName: z.string().optional(),
  paused: z.boolean().optional(),
  clusterType: z.string().optional(),
});

export interface ClusterSummary {
  name: string;
  /** Atlas's `stateName` (IDLE, CREATING, UPDATING, DELETING, REPAIRING), or UNKNOWN when absent. */
  state: string;
  paused: boolean;
  clusterType?: string;
}

export async function listClusters(atlas: AtlasClient, projectId: string, maxAttempts?: number): Promise<ClusterSummary[]> {
  const clusters = await atlas.listAll({
    operation: 'list the project’s clusters',
    path: `/groups/${encodeURIComponent(projectId)}/clusters`,
    version: '2024-08-05',
    item: clusterSchema,
    itemsPerPage: 500,
    maxAttempts,
  });
  return clusters.map((c) => ({ name: c.name, state: c.stateName ?? 'UNKNOWN', paused: c.paused === true, ...(c.clusterType ? { clusterType: c.clusterType } : {}) }));
}

/** Why a connection cannot use this cluster now, or undefined when it can. */
export function clusterUnusableReason(cluster: ClusterSummary): string | undefined {
  if (cluster.paused) return `Cluster ${cluster.name} is paused; resume it in Atlas first.`;
  if (cluster.state === 'DELETING') return `Cluster ${cluster.name} is being deleted.`;
  return undefined;
}
