// AWS S3 connections (a private preview in Atlas): a sink only, through an
// IAM role that the project has authorised with Unified AWS Access.
import { z } from 'zod';
import { escapeMrkdwn, textInput, type AnyBlock } from '../modals/blocks.js';
import { selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { awsRolePicker } from './awsRole.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const S3_BLOCKS = { role: 's3_role', testBucket: 's3_test_bucket' } as const;
export const S3_ACTIONS = { role: 's3_role_arn', testBucket: 'test_bucket' } as const;

export const s3FormSchema = z.object({
  roleArn: z.string(),
  testBucket: z.string().optional(),
});
export type S3Form = z.infer<typeof s3FormSchema>;

/** S3 bucket naming rules: 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const role = awsRolePicker({ blockId: S3_BLOCKS.role, actionId: S3_ACTIONS.role, permissions: 's3:ListAllMyBuckets and s3:PutObject' });

export const s3Connection: ConnectionType<S3Form> = {
  id: 's3',
  label: 'S3',
  atlasType: 'S3',
  notes:
    'S3 connections are sink-only: use them with `$emit`, not `$merge`. The IAM role must be authorised in the project through Unified AWS Access and allow `s3:ListAllMyBuckets` and `s3:PutObject`.',
  formBlocks: (): AnyBlock[] => [
    role.block(),
    textInput({
      blockId: S3_BLOCKS.testBucket,
      actionId: S3_ACTIONS.testBucket,
      label: 'Test bucket',
      hint: 'Optional: a bucket Atlas writes to once to check the role works.',
      optional: true,
      maxLength: 63,
    }),
  ],
  parseForm(values: ViewStateValues) {
    const errors: FieldErrors = {};
    const roleArn = role.read(values);
    if (!roleArn.ok) errors[S3_BLOCKS.role] = roleArn.error;
    const testBucket = textValue(values, S3_BLOCKS.testBucket, S3_ACTIONS.testBucket);
    if (testBucket && !BUCKET.test(testBucket)) {
      errors[S3_BLOCKS.testBucket] = 'Not a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.';
    }
    if (!roleArn.ok || Object.keys(errors).length > 0) return { ok: false, errors };
    return { ok: true, value: { roleArn: roleArn.roleArn, ...(testBucket ? { testBucket } : {}) } };
  },
  externalOptions: [role.menu],
  checkWithAtlas: (form, atlas) => role.check(form.roleArn, atlas),
  atlasBody: (name, form) => ({ name, type: 'S3', aws: { roleArn: form.roleArn, ...(form.testBucket ? { testBucket: form.testBucket } : {}) } }),
  secretValues: () => [],
  summary: (form) => [
    ['IAM role', `\`${escapeMrkdwn(form.roleArn)}\``],
    ...(form.testBucket ? [['Test bucket', escapeMrkdwn(form.testBucket)] as [string, string]] : []),
  ],
  formFromConnection: (connection) => {
    const roleArn = field(connection, 'aws', 'roleArn');
    const testBucket = field(connection, 'aws', 'testBucket');
    return {
      ...(roleArn ? { [S3_BLOCKS.role]: { [S3_ACTIONS.role]: selectState(roleArn, 'external_select') } } : {}),
      ...(testBucket ? { [S3_BLOCKS.testBucket]: { [S3_ACTIONS.testBucket]: textState(testBucket) } } : {}),
    };
  },
  describe: (connection) => [['IAM role', `\`${escapeMrkdwn(field(connection, 'aws', 'roleArn') ?? '?')}\``]],
};
