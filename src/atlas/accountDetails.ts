// The AWS account Atlas uses for a project's stream processing in a region (Confluent needs it).
import { z } from 'zod';
import type { AtlasClient } from './client.js';

const accountDetailsSchema = z.looseObject({ awsAccountId: z.string(), cloudProvider: z.string().optional() });

export async function awsAccountId(atlas: AtlasClient, projectId: string, atlasRegion: string): Promise<string> {
  const res = await atlas.call({
    operation: 'read the project’s AWS account details',
    method: 'GET',
    path: `/groups/${encodeURIComponent(projectId)}/streams/accountDetails`,
    // cloudProvider is lower case, regionName the US_EAST_1 form.
    query: { cloudProvider: 'aws', regionName: atlasRegion },
    version: '2024-11-13',
    response: accountDetailsSchema,
  });
  return res.awsAccountId;
}
