// The networking choice of the AWS types that offer it (Lambda's `publicPrivateNetworking`,
// Kinesis's `networking`): public, or an existing Private Link connection of the project by `_id`.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, type FieldErrors } from './types.js';
import type { StreamsConnection } from '../atlas/streams.js';

export const networkAccessSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PUBLIC') }),
  z.object({ type: z.literal('PRIVATE_LINK'), connectionId: z.string() }),
]);
export type NetworkAccess = z.infer<typeof networkAccessSchema>;

export const NETWORK_ACTIONS = { access: 'network_access', link: 'private_link_id' } as const;
const ACCESS_TYPES = ['PUBLIC', 'PRIVATE_LINK'] as const;
const OBJECT_ID = /^[a-f0-9]{24}$/;

export interface NetworkingFields {
  blocks: { access: string; link: string };
  formBlocks(): AnyBlock[];
  read(values: ViewStateValues): { ok: true; access: NetworkAccess } | { ok: false; errors: FieldErrors };
  /** For `/spconn edit`: the two fields as `connection`'s given networking attribute has them. */
  fromConnection(connection: StreamsConnection, attribute: 'networking' | 'publicPrivateNetworking'): ViewStateValues;
}

/** The two blocks, with ids under the type's own prefix so they never collide with another type's. */
export function networkingFields(prefix: string): NetworkingFields {
  const blocks = { access: `${prefix}_network_access`, link: `${prefix}_private_link` };
  return {
    blocks,
    formBlocks: () => [
      {
        type: 'input',
        block_id: blocks.access,
        label: plain('Networking'),
        element: {
          type: 'static_select',
          action_id: NETWORK_ACTIONS.access,
          options: [option('Public', 'PUBLIC'), option('Private Link', 'PRIVATE_LINK')],
          initial_option: option('Public', 'PUBLIC'),
        },
      },
      textInput({
        blockId: blocks.link,
        actionId: NETWORK_ACTIONS.link,
        label: 'Private Link connection id',
        hint: 'Only with Private Link: the 24-hex _id of one of the project\'s Private Link connections (see /spconn privatelinks).',
        optional: true,
        maxLength: 24,
      }),
    ],
    read(values) {
      const type = selectedValue(values, blocks.access, NETWORK_ACTIONS.access) ?? 'PUBLIC';
      const link = textValue(values, blocks.link, NETWORK_ACTIONS.link);
      if (!ACCESS_TYPES.includes(type as (typeof ACCESS_TYPES)[number])) return { ok: false, errors: { [blocks.access]: 'Choose Public or Private Link.' } };
      if (type === 'PUBLIC') {
        return link ? { ok: false, errors: { [blocks.link]: 'A Private Link connection id only applies with Private Link networking; clear it or choose Private Link.' } } : { ok: true, access: { type: 'PUBLIC' } };
      }
      if (link === '') return { ok: false, errors: { [blocks.link]: 'Enter the _id of the Private Link connection (24 hex digits); /spconn privatelinks lists them.' } };
      if (!OBJECT_ID.test(link)) return { ok: false, errors: { [blocks.link]: 'A Private Link connection id is 24 lower-case hex digits, e.g. 65f0c0ffee0123456789abcd.' } };
      return { ok: true, access: { type: 'PRIVATE_LINK', connectionId: link } };
    },
    fromConnection(connection, attribute) {
      const type = field(connection, attribute, 'access', 'type') ?? 'PUBLIC';
      const link = field(connection, attribute, 'access', 'connectionId');
      const values: ViewStateValues = {};
      if ((ACCESS_TYPES as readonly string[]).includes(type)) values[blocks.access] = { [NETWORK_ACTIONS.access]: selectState(type) };
      if (type === 'PRIVATE_LINK' && link) values[blocks.link] = { [NETWORK_ACTIONS.link]: textState(link) };
      return values;
    },
  };
}

export const accessBody = (access: NetworkAccess) => ({ access: { ...access } });

export const accessSummary = (access: NetworkAccess): string =>
  access.type === 'PUBLIC' ? 'Public' : `Private Link \`${escapeMrkdwn(access.connectionId)}\``;

/** How an existing connection is reached, from the given networking attribute. */
export function describeAccess(connection: StreamsConnection, attribute: 'networking' | 'publicPrivateNetworking'): string {
  const type = field(connection, attribute, 'access', 'type') ?? 'PUBLIC';
  return type === 'PRIVATE_LINK' ? `Private Link \`${escapeMrkdwn(field(connection, attribute, 'access', 'connectionId') ?? '?')}\`` : escapeMrkdwn(type === 'PUBLIC' ? 'Public' : type);
}
