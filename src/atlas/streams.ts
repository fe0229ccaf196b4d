// Typed Atlas Stream Processing endpoints spconn uses, one function per operation.
import { z } from 'zod';
import type { AtlasClient } from './client.js';
import { AtlasApiError } from './errors.js';

const V2023 = '2023-02-01';

/** A connection as Atlas returns it; only the fields spconn reads are typed, the rest pass through. */
export const streamsConnectionSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  state: z.string().optional(),
});
export type StreamsConnection = z.infer<typeof streamsConnectionSchema>;

/** The body of `POST …/streams/{instance}/connections`: a name and a type, the rest per type. */
export const connectionBodySchema = z.looseObject({
  name: z.string(),
  type: z.string(),
});
export type ConnectionBody = z.infer<typeof connectionBodySchema>;

const noContentSchema = z.unknown();

/** Where connections live: a project and its stream processing instance. */
export const streamsLocationSchema = z.object({
  projectId: z.string(),
  instance: z.string(),
});
export type StreamsLocation = z.infer<typeof streamsLocationSchema>;

function connectionsPath(at: StreamsLocation): string {
  return `/groups/${encodeURIComponent(at.projectId)}/streams/${encodeURIComponent(at.instance)}/connections`;
}

/** The connection, or undefined when Atlas says it does not exist. */
export async function getConnection(
  atlas: AtlasClient,
  at: StreamsLocation,
  name: string,
  options: { maxAttempts?: number } = {},
): Promise<StreamsConnection | undefined> {
  try {
    return await atlas.call({
      ...options,
      operation: `read connection ${name}`,
      method: 'GET',
      path: `${connectionsPath(at)}/${encodeURIComponent(name)}`,
      version: V2023,
      response: streamsConnectionSchema,
    });
  } catch (e) {
    if (e instanceof AtlasApiError && e.status === 404) return undefined;
    throw e;
  }
}

/**
 * Creates a connection exactly once: if a try timed out or failed with 5xx, the connection is
 * looked up before the next try, and one found is taken as this call's result.
 */
export async function createConnection(
  atlas: AtlasClient,
  at: StreamsLocation,
  body: ConnectionBody,
  secretValues: readonly string[],
): Promise<StreamsConnection> {
  const recover = () => getConnection(atlas, at, body.name);
  try {
    return await postConnection(atlas, at, body, secretValues, recover);
  } catch (e) {
    // A 2xx whose body spconn cannot read is as ambiguous as a timeout: Atlas may have created it.
    if (!(e instanceof AtlasApiError && e.errorCode === 'UNEXPECTED_RESPONSE' && e.status < 300)) throw e;
    const found = await recover();
    if (found) return found;
    throw e;
  }
}

function postConnection(
  atlas: AtlasClient,
  at: StreamsLocation,
  body: ConnectionBody,
  secretValues: readonly string[],
  recover: () => Promise<StreamsConnection | undefined>,
): Promise<StreamsConnection> {
  return atlas.call({
    operation: `create connection ${body.name}`,
    method: 'POST',
    path: connectionsPath(at),
    version: V2023,
    body,
    response: streamsConnectionSchema,
    recover,
    scrub: secretValues,
  });
}

/**
 * Deletes a connection. With `alreadyGoneIsSuccess`, a 404 means an earlier try (or someone
 * else) deleted it, which is the outcome asked for.
 */
export async function deleteConnection(atlas: AtlasClient, at: StreamsLocation, name: string, options: { alreadyGoneIsSuccess?: boolean } = {}): Promise<void> {
  try {
    await atlas.call({
      operation: `delete connection ${name}`,
      method: 'DELETE',
      path: `${connectionsPath(at)}/${encodeURIComponent(name)}`,
      version: V2023,
      response: noContentSchema,
    });
  } catch (e) {
    if (options.alreadyGoneIsSuccess && e instanceof AtlasApiError && e.status === 404) return;
    throw e;
  }
}

/** Every connection of the instance, following Atlas's pages to the end. */
export async function listConnections(atlas: AtlasClient, at: StreamsLocation, itemsPerPage = 100): Promise<StreamsConnection[]> {
  return atlas.listAll({ operation: 'list connections', path: connectionsPath(at), version: V2023, item: streamsConnectionSchema, itemsPerPage });
}
