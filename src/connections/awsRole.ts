// The IAM role picker shared by the AWS connection types (S3, Lambda, Kinesis): the roles the
// project authorised through Unified AWS Access load as the person types, a pasted ARN is checked
// for form here and against the project's authorised roles before the ack. Lambda and Kinesis
// pair it with the networking fields (`roleAndNetworking`).
import type { StreamsConnection } from '../atlas/streams.js';
import { escapeMrkdwn, option, plain, truncate, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, type ViewStateValues } from '../modals/viewState.js';
import { accessSummary, describeAccess, type NetworkAccess, type NetworkingFields } from './networking.js';
import { field, type AtlasLookups, type ExternalOptions, type FieldErrors, type FormResult } from './types.js';

const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export function roleArnError(arn: string): string | undefined {
  if (arn === '') return 'Choose the IAM role Atlas should assume.';
  const m = ROLE_ARN.exec(arn);
  if (!m) return 'This is not an IAM role ARN; it looks like arn:aws:iam::123456789012:role/atlas-stream-role.';
  if (m[1] !== 'aws') return `Atlas Stream Processing runs in the commercial AWS partition; ${m[1]} roles cannot be used.`;
  return undefined;
}

export interface AwsRolePicker {
  blockId: string;
  actionId: string;
  block(): AnyBlock;
  /** The chosen ARN, or the error to show on the picker. */
  read(values: ViewStateValues): { ok: true; roleArn: string } | { ok: false; error: string };
  /** The `external_select` menu of the project's authorised roles. */
  menu: ExternalOptions;
  /** Refuses a role the project has not authorised, saying why and how to authorise it. */
  check(roleArn: string, atlas: AtlasLookups): Promise<FieldErrors>;
}

/**
 * One role picker per type: block and action ids are the type's own (Slack routes a menu's
 * options by action id, so two types cannot share one); `permissions` is what the role needs.
 */
export function awsRolePicker(opts: { blockId: string; actionId: string; permissions: string }): AwsRolePicker {
  const howToAuthorise = `Authorise it in Atlas first (Project → Integrations → AWS IAM Role Access, i.e. Unified AWS Access); it needs ${opts.permissions}.`;
  return {
    blockId: opts.blockId,
    actionId: opts.actionId,
    block: () => ({
      type: 'input',
      block_id: opts.blockId,
      label: plain('IAM role'),
      hint: plain('Roles authorised in the project load as you type. Paste an ARN to use one that is not listed.'),
      element: { type: 'external_select', action_id: opts.actionId, min_query_length: 0, placeholder: plain('arn:aws:iam::…:role/…') },
    }),
    read(values) {
      const roleArn = selectedValue(values, opts.blockId, opts.actionId) ?? '';
      const error = roleArnError(roleArn);
      return error ? { ok: false, error } : { ok: true, roleArn };
    },
    menu: {
      actionId: opts.actionId,
      async load(query, lookups) {
        const arns = (await lookups.authorisedRoles()).map((r) => r.arn);
        const matching = arns.filter((arn) => arn.toLowerCase().includes(query.toLowerCase())).slice(0, 99);
        // A pasted ARN that is not listed is offered as typed; the submission says why it is refused.
        const typed = query && !arns.includes(query) && !roleArnError(query) && query.length <= 150 ? [option(truncate(`${query} (not authorised)`, 75), query)] : [];
        return [...matching.map((arn) => option(arn.length > 75 ? `…${arn.slice(-74)}` : arn, arn)).filter((o) => (o.value ?? '').length <= 150), ...typed];
      },
    },
    async check(roleArn, atlas) {
      const roles = await atlas.authorisedRoles();
      if (roles === undefined || roles.some((r) => r.arn === roleArn)) return {};
      return { [opts.blockId]: `This role is not authorised in the project. ${howToAuthorise}` };
    },
  };
}

/** What Lambda's and Kinesis's forms hold: the role, and how Atlas reaches AWS. */
export interface RoleAndAccess {
  roleArn: string;
  access: NetworkAccess;
}

/**
 * Lambda's and Kinesis's fields: the role picker and the networking fields, read together, shown
 * on the card, and filled from a connection for `/spconn edit`. `attribute` is where the type's
 * connections keep their networking.
 */
export function roleAndNetworking(role: AwsRolePicker, networking: NetworkingFields, attribute: 'networking' | 'publicPrivateNetworking') {
  return {
    formBlocks: (): AnyBlock[] => [role.block(), ...networking.formBlocks()],
    read(values: ViewStateValues): FormResult<RoleAndAccess> {
      const errors: FieldErrors = {};
      const roleArn = role.read(values);
      if (!roleArn.ok) errors[role.blockId] = roleArn.error;
      const access = networking.read(values);
      if (!access.ok) Object.assign(errors, access.errors);
      if (!roleArn.ok || !access.ok) return { ok: false, errors };
      return { ok: true, value: { roleArn: roleArn.roleArn, access: access.access } };
    },
    summary: (form: RoleAndAccess): Array<[string, string]> => [
      ['IAM role', `\`${escapeMrkdwn(form.roleArn)}\``],
      ['Networking', accessSummary(form.access)],
    ],
    fromConnection(connection: StreamsConnection): ViewStateValues {
      const roleArn = field(connection, 'aws', 'roleArn');
      return {
        ...(roleArn ? { [role.blockId]: { [role.actionId]: selectState(roleArn, 'external_select') } } : {}),
        ...networking.fromConnection(connection, attribute),
      };
    },
    describe: (connection: StreamsConnection): Array<[string, string]> => [
      ['IAM role', `\`${escapeMrkdwn(field(connection, 'aws', 'roleArn') ?? '?')}\``],
      ['Networking', describeAccess(connection, attribute)],
    ],
  };
}
