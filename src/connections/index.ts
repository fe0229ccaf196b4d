// The connection types spconn offers, by the word used in `/spconn create <type>`.
import { httpsConnection } from './https.js';
import { kafkaConnection } from './kafka.js';
import { kinesisConnection } from './kinesis.js';
import { lambdaConnection } from './lambda.js';
import { privateLinkConnection } from './privateLink.js';
import { s3Connection } from './s3.js';
import { schemaRegistryConnection } from './schemaRegistry.js';
import type { ConnectionType } from './types.js';

// Each type's Form differs; the registry only needs them as opaque forms.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry is heterogeneous by design
type AnyConnectionType = ConnectionType<any>;

export const CONNECTION_TYPES: readonly AnyConnectionType[] = [
  httpsConnection,
  s3Connection,
  kafkaConnection,
  privateLinkConnection,
  lambdaConnection,
  kinesisConnection,
  schemaRegistryConnection,
];

export function connectionType(id: string): AnyConnectionType | undefined {
  return CONNECTION_TYPES.find((t) => t.id === id);
}

/** The type that owns connections of an Atlas `type`, for list and show. */
export function connectionTypeForAtlas(atlasType: string): AnyConnectionType | undefined {
  return CONNECTION_TYPES.find((t) => t.atlasType === atlasType && !t.privateLinkPlan);
}

export type { AnyConnectionType };
