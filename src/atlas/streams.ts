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
 * looked up before the next try, and one found is taken as this call's result. `lookFirst`: the
 * call takes over work a stopped replica may have done, so a connection of that name already there
 * is the result, without a POST.
 */
export async function createConnection(
  atlas: AtlasClient,
  at: StreamsLocation,
  body: ConnectionBody,
  secretValues: readonly string[],
  opts: { lookFirst?: boolean } = {},
): Promise<StreamsConnection> {
  const recover = () => getConnection(atlas, at, body.name);
  if (opts.lookFirst) {
    const existing = await recover();
    if (existing) return existing;
  }
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

/**
 * Changes a connection in place with the fields given (`PATCH`, the body is `name`, `type` and the
 * changed fields only). Atlas refuses a change of `type` or networking
 * (`STREAM_NETWORKING_CANNOT_BE_MODIFIED`); whether it keeps the fields left out is assumed, not
 * documented (README, "Editing a connection"). Repeating the same PATCH gives the same result, so
 * the client's retries are safe.
 */
export async function updateConnection(atlas: AtlasClient, at: StreamsLocation, body: ConnectionBody, secretValues: readonly string[]): Promise<StreamsConnection> {
  return atlas.call({
    operation: `update connection ${body.name}`,
    method: 'PATCH',
    path: `${connectionsPath(at)}/${encodeURIComponent(body.name)}`,
    version: V2023,
    body,
    response: streamsConnectionSchema,
    scrub: secretValues,
  });
}

const V2024_05_30 = '2024-05-30';

/** A stream processor as `GET …/processors` lists it; only what spconn reads is typed. */
export const streamProcessorSchema = z.looseObject({
  name: z.string(),
  state: z.string().optional(),
  pipeline: z.array(z.unknown()).optional(),
});
export type StreamProcessor = z.infer<typeof streamProcessorSchema>;

/** Every stream processor of the instance (version 2024-05-30, as the README lists it). */
export async function listStreamProcessors(atlas: AtlasClient, at: StreamsLocation): Promise<StreamProcessor[]> {
  return atlas.listAll({
    operation: 'list stream processors',
    path: `/groups/${encodeURIComponent(at.projectId)}/streams/${encodeURIComponent(at.instance)}/processors`,
    version: V2024_05_30,
    item: streamProcessorSchema,
    itemsPerPage: 100,
  });
}

/**
 * Whether a pipeline names the connection: any `connectionName` at any depth of any stage
 * (`$source`, `$merge.into`, `$emit`, `$https`, `$lookup.from`, and stages Atlas adds later).
 */
export function pipelineNamesConnection(pipeline: unknown, connectionName: string): boolean {
  if (Array.isArray(pipeline)) return pipeline.some((item) => pipelineNamesConnection(item, connectionName));
  if (typeof pipeline !== 'object' || pipeline === null) return false;
  return Object.entries(pipeline).some(([key, value]) => (key === 'connectionName' && value === connectionName) || pipelineNamesConnection(value, connectionName));
}

/** The instance's stream processors whose pipelines name the connection. */
export async function processorsUsing(atlas: AtlasClient, at: StreamsLocation, connectionName: string): Promise<StreamProcessor[]> {
  return (await listStreamProcessors(atlas, at)).filter((p) => pipelineNamesConnection(p.pipeline, connectionName));
}
