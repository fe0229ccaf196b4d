// AWS Kinesis Data Streams connections: streams read with `$source` and written with `$emit`,
// through an IAM role the project authorised with Unified AWS Access (the same picker as S3).
import { z } from 'zod';
import { awsRolePicker, roleAndNetworking } from './awsRole.js';
import { accessBody, networkAccessSchema, networkingFields } from './networking.js';
import type { ConnectionType } from './types.js';

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
const fields = roleAndNetworking(role, KINESIS_NETWORKING, 'networking');

export const kinesisConnection: ConnectionType<KinesisForm> = {
  id: 'kinesis',
  label: 'AWS Kinesis Data Streams',
  atlasType: 'AWSKinesisDataStreams',
  notes: 'The IAM role must be authorised in the project through Unified AWS Access and allow reading and writing the streams your pipelines use.',
  formBlocks: fields.formBlocks,
  parseForm: (values) => fields.read(values),
  externalOptions: [role.menu],
  checkWithAtlas: (form, atlas) => role.check(form.roleArn, atlas),
  atlasBody: (name, form) => ({ name, type: 'AWSKinesisDataStreams', aws: { roleArn: form.roleArn }, networking: accessBody(form.access) }),
  secretValues: () => [],
  summary: fields.summary,
  formFromConnection: fields.fromConnection,
  describe: fields.describe,
};
