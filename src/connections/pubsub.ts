// Google Cloud Pub/Sub connections: Atlas acts as the project's GCP service account, set up in
// Atlas's cloud provider access; Pub/Sub permissions are granted to it in Google Cloud.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, type ViewStateValues } from '../modals/viewState.js';
import { keptNetworking } from './keptNetworking.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const PUBSUB_BLOCKS = { serviceAccount: 'gcp_account' } as const;
export const PUBSUB_ACTIONS = { serviceAccount: 'gcp_service_account' } as const;

// `networking`: an edit keeps the connection's Private Link networking, which this form cannot express.
export const pubSubFormSchema = z.object({ serviceAccountId: z.string(), networking: z.record(z.string(), z.unknown()).optional() });
export type PubSubForm = z.infer<typeof pubSubFormSchema>;

/** A GCP service account's e-mail address: a 6–30 character account id at a project's iam domain. */
const SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,61}[a-z0-9]\.iam\.gserviceaccount\.com$/;

const HOW_TO_SET_UP = 'Set it up in Atlas first (Project → Integrations → Google Cloud service account) and grant it Pub/Sub access in Google Cloud.';

export const pubSubConnection: ConnectionType<PubSubForm> = {
  id: 'pubsub',
  label: 'Google Pub/Sub',
  atlasType: 'GCPPubSub',
  notes: 'Atlas reaches Pub/Sub as the project’s GCP service account; grant that account the Pub/Sub roles the pipelines need.',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: PUBSUB_BLOCKS.serviceAccount,
      label: plain('GCP service account'),
      hint: plain('The project’s service accounts for Google Cloud load as you type; only a ready (COMPLETE) one can be used.'),
      element: { type: 'external_select', action_id: PUBSUB_ACTIONS.serviceAccount, min_query_length: 0, placeholder: plain('mongodb-atlas-…@p-….iam.gserviceaccount.com') },
    },
  ],
  parseForm(values: ViewStateValues, editing) {
    const serviceAccountId = selectedValue(values, PUBSUB_BLOCKS.serviceAccount, PUBSUB_ACTIONS.serviceAccount) ?? '';
    if (serviceAccountId === '') return { ok: false, errors: { [PUBSUB_BLOCKS.serviceAccount]: 'Choose the GCP service account Atlas should use.' } };
    if (!SERVICE_ACCOUNT.test(serviceAccountId)) {
      return { ok: false, errors: { [PUBSUB_BLOCKS.serviceAccount]: 'This is not a GCP service account address; it looks like name@project.iam.gserviceaccount.com.' } };
    }
    const networking = keptNetworking(editing);
    return { ok: true, value: { serviceAccountId, ...(networking ? { networking } : {}) } };
  },
  externalOptions: [
    {
      actionId: PUBSUB_ACTIONS.serviceAccount,
      async load(query, lookups) {
        const q = query.toLowerCase();
        const accounts = await lookups.gcpServiceAccounts();
        const listed = accounts
          .filter((a) => a.email.includes(q))
          .slice(0, 99)
          .filter((a) => a.email.length <= 150)
          // The state first: a long address is cut at Slack's 75 characters.
          .map((a) => option(a.status === 'COMPLETE' ? a.email : `(${a.status}) ${a.email}`, a.email));
        const typed = SERVICE_ACCOUNT.test(query) && !accounts.some((a) => a.email === query) ? [option(`${query} (not set up)`, query)] : [];
        return [...listed, ...typed];
      },
    },
  ],
  async checkWithAtlas(form, atlas): Promise<FieldErrors> {
    const accounts = await atlas.gcpServiceAccounts();
    if (accounts === undefined) return {};
    const account = accounts.find((a) => a.email === form.serviceAccountId);
    if (!account) return { [PUBSUB_BLOCKS.serviceAccount]: `This service account is not set up in the project. ${HOW_TO_SET_UP}` };
    if (account.status !== 'COMPLETE') {
      return { [PUBSUB_BLOCKS.serviceAccount]: `This service account is not ready in Atlas yet (${account.status}); try again once it is COMPLETE.` };
    }
    return {};
  },
  atlasBody: (name, form) => ({
    name,
    type: 'GCPPubSub',
    gcp: { serviceAccountId: form.serviceAccountId },
    publicPrivateNetworking: form.networking ?? { access: { type: 'PUBLIC' } },
  }),
  secretValues: () => [],
  summary: (form) => [['Service account', `\`${escapeMrkdwn(form.serviceAccountId)}\``]],
  formFromConnection: (connection): ViewStateValues => {
    const account = field(connection, 'gcp', 'serviceAccountId');
    return account ? { [PUBSUB_BLOCKS.serviceAccount]: { [PUBSUB_ACTIONS.serviceAccount]: selectState(account, 'external_select') } } : {};
  },
  describe: (connection) => [['Service account', `\`${escapeMrkdwn(field(connection, 'gcp', 'serviceAccountId') ?? '?')}\``]],
};
