// The project's custom database roles, which a Cluster connection may execute as (`type: CUSTOM`).
import { z } from 'zod';
import type { AtlasClient } from './client.js';

// Not paginated: the endpoint answers a plain array of UserCustomDBRole.
const customRolesSchema = z.array(z.looseObject({ roleName: z.string() }));

export async function listCustomDbRoles(atlas: AtlasClient, projectId: string, maxAttempts?: number): Promise<string[]> {
  const roles = await atlas.call({
    operation: 'list the project’s custom database roles',
    method: 'GET',
    path: `/groups/${encodeURIComponent(projectId)}/customDBRoles/roles`,
    version: '2023-01-01',
    response: customRolesSchema,
    maxAttempts,
  });
  return roles.map((r) => r.roleName);
}
