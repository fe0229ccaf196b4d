// AWS Kinesis Data Streams connections: streams read with `$source` and written with `$emit`,
// through an IAM role the project authorised with Unified AWS Access (the same picker as S3).
import { z } from 'zod';
import { escapeMrkdwn, type AnyBlock } from '../modals/blocks.js';
import { selectState, type ViewStateValues } from '../modals/viewState.js';
import { awsRolePicker } from './awsRole.js';
import { accessBody, accessSummary, describeAccess, networkAccessSchema, networkingFields } from './networking.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const KINESIS_BLOCKS = { role: 'kinesis_role' } as const;
export const KINESIS_ACTIONS = { role: 'kinesis_role_arn' } as const;

export const kinesisFormSchema = z.object({ roleArn: z.string(), access: networkAccessSchema });
export type KinesisForm = z.infer<typeof kinesisFormSchema>;

const role = awsRolePicker({
  blockId: KINESIS_BLOCKS.role,
  actionId: KINESIS_ACTIONS.role,
  permissions: 'read and write access to the streams (kinesis:DescribeStream, kinesis:GetRecords, kinesis:PutRecords, …)',
});
export const KINESIS_NETWORKING = networkingFields('kinesis');

export const kinesisConnection: ConnectionType<KinesisForm> = {
  id: 'kinesis',
  label: 'AWS Kinesis Data Streams',
  atlasType: 'AWSKinesisDataStreams',
  notes: 'The IAM role must be authorised in the project through Unified AWS Access and allow reading and writing the streams your pipelines use.',
  formBlocks: (): AnyBlock[] => [role.block(), ...KINESIS_NETWORKING.formBlocks()],
  parseForm(values: ViewStateValues) {
    const errors: FieldErrors = {};
    const roleArn = role.read(values);
    if (!roleArn.ok) errors[KINESIS_BLOCKS.role] = roleArn.error;
    const access = KINESIS_NETWORKING.read(values);
    if (!access.ok) Object.assign(errors, access.errors);
    if (!roleArn.ok || !access.ok) return { ok: false, errors };
    return { ok: true, value: { roleArn: roleArn.roleArn, access: access.access } };
  },
  externalOptions: [role.menu],
  checkWithAtlas: (form, atlas) => role.check(form.roleArn, atlas),
  atlasBody: (name, form) => ({ name, type: 'AWSKinesisDataStreams', aws: { roleArn: form.roleArn }, networking: accessBody(form.access) }),
  secretValues: () => [],
  summary: (form) => [
    ['IAM role', `\`${escapeMrkdwn(form.roleArn)}\``],
    ['Networking', accessSummary(form.access)],
  ],
  formFromConnection: (connection) => {
    const roleArn = field(connection, 'aws', 'roleArn');
    return {
      ...(roleArn ? { [KINESIS_BLOCKS.role]: { [KINESIS_ACTIONS.role]: selectState(roleArn, 'external_select') } } : {}),
      ...KINESIS_NETWORKING.fromConnection(connection, 'networking'),
    };
  },
  describe: (connection) => [
    ['IAM role', `\`${escapeMrkdwn(field(connection, 'aws', 'roleArn') ?? '?')}\``],
    ['Networking', describeAccess(connection, 'networking')],
  ],
};
