// The connection types spconn offers, by the word used in `/spconn create <type>`.
import { azureBlobConnection } from './azureBlob.js';
import { clusterConnection } from './cluster.js';
import { httpsConnection } from './https.js';
import { kafkaConnection } from './kafka.js';
import { privateLinkConnection } from './privateLink.js';
import { pubSubConnection } from './pubsub.js';
import { s3Connection } from './s3.js';
import { sampleConnection } from './sample.js';
import type { ConnectionType } from './types.js';

// Each type's Form differs; the registry only needs them as opaque forms.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry is heterogeneous by design
type AnyConnectionType = ConnectionType<any>;

export const CONNECTION_TYPES: readonly AnyConnectionType[] = [
  clusterConnection,
  httpsConnection,
  s3Connection,
  kafkaConnection,
  privateLinkConnection,
  sampleConnection,
  azureBlobConnection,
  pubSubConnection,
];

/**
 * The type for a word of `/spconn create <word>` or the type picker: spconn's id (`lambda`) or
 * Atlas's own type name (`AWSLambda`), in any case. Kafka over Private Link is reached by its id only.
 */
export function connectionType(word: string): AnyConnectionType | undefined {
  const w = word.toLowerCase();
  return CONNECTION_TYPES.find((t) => t.id.toLowerCase() === w) ?? CONNECTION_TYPES.find((t) => !t.privateLinkPlan && t.atlasType.toLowerCase() === w);
}

/** The type that owns connections of an Atlas `type`, for list and show. */
export function connectionTypeForAtlas(atlasType: string): AnyConnectionType | undefined {
  return CONNECTION_TYPES.find((t) => t.atlasType === atlasType && !t.privateLinkPlan);
}

export type { AnyConnectionType };
