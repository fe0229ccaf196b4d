// Kafka over Confluent Private Link: the form, its checks,
// and the plan the Private Link workflow carries out after approval.
import { AWS_REGIONS, awsRegion } from '../atlas/regions.js';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { rawTextValue, selectedValue, textValue, type ViewStateValues } from '../modals/viewState.js';
import { z } from 'zod';
import { planSchema } from '../workflows/privateLinkMachine.js';
import { bootstrapServersError } from './kafka.js';
import { field, maskSecret, type ConnectionType, type FieldErrors } from './types.js';

export const PL_BLOCKS = {
  kind: 'pl_cluster_kind',
  region: 'pl_region',
  serviceName: 'pl_service_name',
  dnsDomain: 'pl_dns_domain',
  subdomains: 'pl_dns_subdomains',
  bootstrap: 'pl_bootstrap',
  apiKey: 'pl_api_key',
  apiSecret: 'pl_api_secret',
} as const;
export const PL_ACTIONS = {
  kind: 'cluster_kind',
  region: 'region',
  serviceName: 'service_name',
  dnsDomain: 'dns_domain',
  subdomains: 'dns_subdomains',
  bootstrap: 'bootstrap_servers',
  apiKey: 'api_key',
  apiSecret: 'api_secret',
} as const;

export const privateLinkFormSchema = planSchema.extend({
  bootstrapServers: z.string(),
  apiKey: z.string(),
  apiSecret: z.string(),
});
export type PrivateLinkForm = z.infer<typeof privateLinkFormSchema>;
export type ClusterKind = PrivateLinkForm['clusterKind'];

const FQDN = /^(?=.{4,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
const SERVICE_NAME = /^com\.amazonaws\.vpce\.([a-z0-9-]+)\.vpce-svc-[a-z0-9]{8,32}$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export const privateLinkConnection: ConnectionType<PrivateLinkForm> = {
  id: 'privatelink',
  label: 'Kafka (Confluent Private Link)',
  atlasType: 'Kafka',
  notes:
    'After approval spconn sets up the Private Link step by step in the card’s thread: it reuses a link to the same cluster if the project has one, asks you to act in Confluent when needed (a *Done* button), waits for the link, then creates the connection. Confluent accepts Private Link only from AWS: the instance must run on AWS.',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: PL_BLOCKS.kind,
      label: plain('Confluent cluster kind'),
      element: {
        type: 'radio_buttons',
        action_id: PL_ACTIONS.kind,
        options: [option('Dedicated', 'dedicated'), option('Serverless (Enterprise)', 'serverless')],
      },
    },
    {
      type: 'input',
      block_id: PL_BLOCKS.region,
      label: plain('AWS region of the cluster'),
      element: { type: 'static_select', action_id: PL_ACTIONS.region, options: AWS_REGIONS.map((r) => option(r.aws, r.aws)) },
    },
    textInput({
      blockId: PL_BLOCKS.serviceName,
      actionId: PL_ACTIONS.serviceName,
      label: 'VPC endpoint service name',
      hint: 'From the cluster’s networking page in Confluent Cloud.',
      placeholder: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      maxLength: 200,
    }),
    textInput({ blockId: PL_BLOCKS.dnsDomain, actionId: PL_ACTIONS.dnsDomain, label: 'DNS domain', placeholder: 'abc123.us-east-1.aws.confluent.cloud', maxLength: 253 }),
    textInput({
      blockId: PL_BLOCKS.subdomains,
      actionId: PL_ACTIONS.subdomains,
      label: 'DNS subdomains',
      hint: 'Dedicated clusters: one per availability zone, one fully qualified name per line. Leave empty when the cluster has none.',
      multiline: true,
      optional: true,
      maxLength: 2000,
    }),
    textInput({
      blockId: PL_BLOCKS.bootstrap,
      actionId: PL_ACTIONS.bootstrap,
      label: 'Bootstrap server',
      placeholder: 'lkc-abc123.abc123.us-east-1.aws.confluent.cloud:9092',
      maxLength: 1000,
    }),
    textInput({ blockId: PL_BLOCKS.apiKey, actionId: PL_ACTIONS.apiKey, label: 'Confluent API key', maxLength: 128 }),
    textInput({
      blockId: PL_BLOCKS.apiSecret,
      actionId: PL_ACTIONS.apiSecret,
      label: 'Confluent API secret',
      hint: 'A secret: masked on the card, encrypted while the setup runs, never logged.',
      maxLength: 256,
    }),
  ],
  parseForm(values: ViewStateValues) {
    const errors: FieldErrors = {};
    const kind = selectedValue(values, PL_BLOCKS.kind, PL_ACTIONS.kind);
    if (kind !== 'dedicated' && kind !== 'serverless') errors[PL_BLOCKS.kind] = 'Choose whether the Confluent cluster is dedicated or serverless.';
    const region = awsRegion(selectedValue(values, PL_BLOCKS.region, PL_ACTIONS.region) ?? '');
    if (!region) errors[PL_BLOCKS.region] = 'Choose the AWS region the Confluent cluster runs in.';

    const serviceEndpointId = textValue(values, PL_BLOCKS.serviceName, PL_ACTIONS.serviceName);
    const service = SERVICE_NAME.exec(serviceEndpointId);
    if (!service) errors[PL_BLOCKS.serviceName] = 'This is not a VPC endpoint service name; it looks like com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0.';
    else if (region && service[1] !== region.aws) errors[PL_BLOCKS.serviceName] = `The service is in ${service[1]}, but the cluster region chosen is ${region.aws}.`;

    const dnsDomain = textValue(values, PL_BLOCKS.dnsDomain, PL_ACTIONS.dnsDomain).toLowerCase().replace(/\.$/, '');
    if (!FQDN.test(dnsDomain)) errors[PL_BLOCKS.dnsDomain] = 'Enter the cluster’s DNS domain, a fully qualified name such as abc123.us-east-1.aws.confluent.cloud.';

    const subLines = textValue(values, PL_BLOCKS.subdomains, PL_ACTIONS.subdomains)
      .split(/\r?\n/)
      .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
      .filter(Boolean);
    const badSub = subLines.find((s) => !FQDN.test(s) || !s.endsWith(`.${dnsDomain}`));
    if (subLines.length > 6) errors[PL_BLOCKS.subdomains] = 'At most 6 subdomains (one per availability zone).';
    else if (badSub !== undefined) {
      const shown = FQDN.test(dnsDomain) ? dnsDomain : 'the DNS domain';
      errors[PL_BLOCKS.subdomains] = `"${badSub.slice(0, 80)}" is not a subdomain of ${shown}; each line must end with .${FQDN.test(dnsDomain) ? dnsDomain : '<domain>'}.`;
    }
    else if (new Set(subLines).size !== subLines.length) errors[PL_BLOCKS.subdomains] = 'A subdomain appears twice.';

    const bootstrapServers = textValue(values, PL_BLOCKS.bootstrap, PL_ACTIONS.bootstrap).replace(/\s*,\s*/g, ',').toLowerCase();
    const bootstrapError = bootstrapServersError(bootstrapServers);
    if (bootstrapError) errors[PL_BLOCKS.bootstrap] = bootstrapError;
    else if (FQDN.test(dnsDomain) && !bootstrapServers.split(',').every((s) => s.slice(0, s.lastIndexOf(':')).endsWith(`.${dnsDomain}`))) {
      errors[PL_BLOCKS.bootstrap] = `Over Private Link the bootstrap server is a name inside ${dnsDomain}.`;
    }

    const apiKey = textValue(values, PL_BLOCKS.apiKey, PL_ACTIONS.apiKey);
    if (!/^[A-Za-z0-9]{8,128}$/.test(apiKey)) errors[PL_BLOCKS.apiKey] = 'A Confluent API key is letters and digits, e.g. ABCDEFGH12345678.';
    const apiSecret = rawTextValue(values, PL_BLOCKS.apiSecret, PL_ACTIONS.apiSecret).trim();
    if (apiSecret.length < 8 || apiSecret.length > 256 || CONTROL.test(apiSecret)) errors[PL_BLOCKS.apiSecret] = 'Paste the API secret that Confluent showed with the key (8 to 256 characters).';

    if (Object.keys(errors).length > 0 || !region || !service) return { ok: false, errors };
    return {
      ok: true,
      value: {
        clusterKind: kind as ClusterKind,
        region: region.aws,
        atlasRegion: region.atlas,
        serviceEndpointId,
        dnsDomain,
        dnsSubDomain: subLines,
        bootstrapServers,
        apiKey,
        apiSecret,
      },
    };
  },
  // The connection's body before the link exists; the workflow adds networking.access.
  atlasBody: (name, form) => ({
    name,
    type: 'Kafka',
    bootstrapServers: form.bootstrapServers,
    security: { protocol: 'SASL_SSL' },
    authentication: { mechanism: 'PLAIN', username: form.apiKey, password: form.apiSecret },
  }),
  privateLinkPlan: (form) => ({
    clusterKind: form.clusterKind,
    region: form.region,
    atlasRegion: form.atlasRegion,
    serviceEndpointId: form.serviceEndpointId,
    dnsDomain: form.dnsDomain,
    dnsSubDomain: form.dnsSubDomain,
  }),
  secretValues: (form) => [form.apiSecret],
  summary: (form) => [
    ['Confluent cluster', `${form.clusterKind} in ${form.region}`],
    ['Endpoint service', `\`${escapeMrkdwn(form.serviceEndpointId)}\``],
    ['DNS', `${escapeMrkdwn(form.dnsDomain)}${form.dnsSubDomain.length ? ` (+${form.dnsSubDomain.length} subdomains)` : ''}`],
    ['Bootstrap', `\`${escapeMrkdwn(form.bootstrapServers)}\``],
    ['API key', `\`${escapeMrkdwn(form.apiKey)}\` / ${maskSecret(form.apiSecret)}`],
  ],
  describe: (connection) => [
    ['Bootstrap servers', `\`${escapeMrkdwn(field(connection, 'bootstrapServers') ?? '?')}\``],
    ['Networking', `Private Link \`${escapeMrkdwn(field(connection, 'networking', 'access', 'connectionId') ?? '?')}\``],
  ],
};
