// The project's Azure service principals and GCP service accounts from cloudProviderAccess, which
// Azure Blob Storage and Pub/Sub connections use. (The AWS IAM roles are in cloudProviderAccess.ts.)
import { z } from 'zod';
import type { AtlasClient } from './client.js';

const azureSchema = z.looseObject({
  _id: z.string().optional(),
  servicePrincipalId: z.string().optional(),
  tenantId: z.string().optional(),
  atlasAzureAppId: z.string().optional(),
});
const gcpSchema = z.looseObject({
  roleId: z.string().optional(),
  gcpServiceAccountForAtlas: z.string().optional(),
  status: z.string().optional(),
});
const principalsSchema = z.looseObject({
  azureServicePrincipals: z.array(azureSchema).default([]),
  gcpServiceAccounts: z.array(gcpSchema).default([]),
});

export interface AzureServicePrincipal {
  servicePrincipalId: string;
  tenantId?: string;
}

export interface GcpServiceAccount {
  /** The service account's e-mail address (`gcpServiceAccountForAtlas`). */
  email: string;
  /** IN_PROGRESS, COMPLETE, FAILED or NOT_INITIATED; only COMPLETE can be used. */
  status: string;
}

export interface CloudPrincipals {
  azure: AzureServicePrincipal[];
  gcp: GcpServiceAccount[];
}

export async function cloudPrincipals(atlas: AtlasClient, projectId: string, maxAttempts?: number): Promise<CloudPrincipals> {
  const res = await atlas.call({
    operation: 'list the project’s Azure service principals and GCP service accounts',
    method: 'GET',
    path: `/groups/${encodeURIComponent(projectId)}/cloudProviderAccess`,
    version: '2023-01-01',
    response: principalsSchema,
    maxAttempts,
  });
  return {
    azure: res.azureServicePrincipals.flatMap((p) => (p.servicePrincipalId ? [{ servicePrincipalId: p.servicePrincipalId, ...(p.tenantId ? { tenantId: p.tenantId } : {}) }] : [])),
    gcp: res.gcpServiceAccounts.flatMap((a) => (a.gcpServiceAccountForAtlas ? [{ email: a.gcpServiceAccountForAtlas, status: a.status ?? 'UNKNOWN' }] : [])),
  };
}
