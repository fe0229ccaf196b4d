// Azure Blob Storage connections: a storage account reached through the project's Azure service
// principal, registered in Atlas's cloud provider access.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { keptNetworking } from './keptNetworking.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const AZURE_BLOCKS = { principal: 'azure_principal', storageAccount: 'azure_storage_account' } as const;
export const AZURE_ACTIONS = { principal: 'azure_service_principal', storageAccount: 'storage_account' } as const;

// `networking`: an edit keeps the connection's Private Link networking, which this form cannot express.
export const azureBlobFormSchema = z.object({ servicePrincipalId: z.string(), storageAccountName: z.string(), networking: z.record(z.string(), z.unknown()).optional() });
export type AzureBlobForm = z.infer<typeof azureBlobFormSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Azure storage account names: 3–24 lower-case letters and digits. */
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;

const HOW_TO_REGISTER = 'Set it up in Atlas first (Project → Integrations → Azure Service Principal), then give it access to the storage account.';

export const azureBlobConnection: ConnectionType<AzureBlobForm> = {
  id: 'azureblob',
  label: 'Azure Blob Storage',
  atlasType: 'AzureBlobStorage',
  notes: 'Atlas reaches the storage account as the project’s Azure service principal, which needs a role on that account (e.g. Storage Blob Data Contributor).',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: AZURE_BLOCKS.principal,
      label: plain('Azure service principal'),
      hint: plain('The service principals registered in the project load as you type.'),
      element: { type: 'external_select', action_id: AZURE_ACTIONS.principal, min_query_length: 0, placeholder: plain('Service principal id') },
    },
    textInput({
      blockId: AZURE_BLOCKS.storageAccount,
      actionId: AZURE_ACTIONS.storageAccount,
      label: 'Storage account',
      hint: 'The Azure storage account name: 3 to 24 lower-case letters and digits.',
      placeholder: 'ordersarchive',
      maxLength: 24,
    }),
  ],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const servicePrincipalId = selectedValue(values, AZURE_BLOCKS.principal, AZURE_ACTIONS.principal) ?? '';
    if (servicePrincipalId === '') errors[AZURE_BLOCKS.principal] = 'Choose the Azure service principal Atlas should use.';
    else if (!UUID.test(servicePrincipalId)) errors[AZURE_BLOCKS.principal] = 'A service principal id is a UUID, e.g. 6f8f4b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.';
    const storageAccountName = textValue(values, AZURE_BLOCKS.storageAccount, AZURE_ACTIONS.storageAccount);
    if (storageAccountName === '') errors[AZURE_BLOCKS.storageAccount] = 'Enter the name of the storage account.';
    else if (!STORAGE_ACCOUNT.test(storageAccountName)) errors[AZURE_BLOCKS.storageAccount] = 'Azure storage account names are 3 to 24 lower-case letters and digits.';
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const networking = keptNetworking(editing);
    return { ok: true, value: { servicePrincipalId, storageAccountName, ...(networking ? { networking } : {}) } };
  },
  externalOptions: [
    {
      actionId: AZURE_ACTIONS.principal,
      async load(query, lookups) {
        const q = query.toLowerCase();
        const principals = await lookups.azureServicePrincipals();
        const listed = principals
          .filter((p) => p.servicePrincipalId.toLowerCase().includes(q))
          .slice(0, 99)
          .map((p) => option(p.tenantId ? `${p.servicePrincipalId} (tenant ${p.tenantId})` : p.servicePrincipalId, p.servicePrincipalId));
        const typed = UUID.test(query) && !principals.some((p) => p.servicePrincipalId === query) ? [option(`${query} (not registered)`, query)] : [];
        return [...listed, ...typed];
      },
    },
  ],
  async checkWithAtlas(form, atlas): Promise<FieldErrors> {
    const principals = await atlas.azureServicePrincipals();
    if (principals === undefined || principals.some((p) => p.servicePrincipalId.toLowerCase() === form.servicePrincipalId.toLowerCase())) return {};
    return { [AZURE_BLOCKS.principal]: `This service principal is not registered in the project. ${HOW_TO_REGISTER}` };
  },
  atlasBody: (name, form) => ({
    name,
    type: 'AzureBlobStorage',
    azure: { servicePrincipalId: form.servicePrincipalId, storageAccountName: form.storageAccountName },
    publicPrivateNetworking: form.networking ?? { access: { type: 'PUBLIC' } },
  }),
  secretValues: () => [],
  summary: (form) => [
    ['Service principal', `\`${escapeMrkdwn(form.servicePrincipalId)}\``],
    ['Storage account', `\`${escapeMrkdwn(form.storageAccountName)}\``],
  ],
  formFromConnection: (connection) => {
    const values: ViewStateValues = {};
    const principal = field(connection, 'azure', 'servicePrincipalId');
    const account = field(connection, 'azure', 'storageAccountName');
    if (principal) values[AZURE_BLOCKS.principal] = { [AZURE_ACTIONS.principal]: selectState(principal, 'external_select') };
    if (account) values[AZURE_BLOCKS.storageAccount] = { [AZURE_ACTIONS.storageAccount]: textState(account) };
    return values;
  },
  describe: (connection) => [
    ['Storage account', `\`${escapeMrkdwn(field(connection, 'azure', 'storageAccountName') ?? '?')}\``],
    ['Service principal', `\`${escapeMrkdwn(field(connection, 'azure', 'servicePrincipalId') ?? '?')}\``],
  ],
};
