// The project's AWS IAM roles authorised through Unified AWS Access, which S3 connections use.
// Cached briefly per project: the S3 form asks for them on every keystroke of the role picker.
import { z } from 'zod';
import type { AtlasClient } from './client.js';

const awsIamRoleSchema = z.looseObject({
  roleId: z.string().optional(),
  iamAssumedRoleArn: z.string().optional(),
  authorizedDate: z.string().optional(),
});
const cloudProviderAccessSchema = z.looseObject({ awsIamRoles: z.array(awsIamRoleSchema).default([]) });

export interface AuthorisedRole {
  roleId?: string;
  arn: string;
}

export async function authorisedAwsRoles(atlas: AtlasClient, projectId: string, maxAttempts?: number): Promise<AuthorisedRole[]> {
  const res = await atlas.call({
    operation: 'list the AWS IAM roles authorised in the project',
    method: 'GET',
    path: `/groups/${encodeURIComponent(projectId)}/cloudProviderAccess`,
    version: '2023-01-01',
    response: cloudProviderAccessSchema,
    maxAttempts,
  });
  return res.awsIamRoles.filter((r) => r.authorizedDate && r.iamAssumedRoleArn).map((r) => ({ roleId: r.roleId, arn: r.iamAssumedRoleArn! }));
}

const TTL_MS = 60_000;

/** Shares one look-up per project among concurrent callers and keeps it for a minute. */
export class AuthorisedRolesCache {
  private readonly entries = new Map<string, { roles: Promise<AuthorisedRole[]>; expiresAt: number }>();

  get(atlas: AtlasClient, projectId: string): Promise<AuthorisedRole[]> {
    const now = Date.now();
    const hit = this.entries.get(projectId);
    if (hit && hit.expiresAt > now) return hit.roles;
    const roles = authorisedAwsRoles(atlas, projectId, 1);
    const entry = { roles, expiresAt: now + TTL_MS };
    this.entries.set(projectId, entry);
    roles.catch(() => {
      if (this.entries.get(projectId) === entry) this.entries.delete(projectId);
    });
    return roles;
  }
}
