// AWS S3 connections (a private preview in Atlas): a sink only, through an
// IAM role that the project has authorised with Unified AWS Access.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, textInput, truncate, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const S3_BLOCKS = { role: 's3_role', testBucket: 's3_test_bucket' } as const;
export const S3_ACTIONS = { role: 's3_role_arn', testBucket: 'test_bucket' } as const;

export const s3FormSchema = z.object({
  roleArn: z.string(),
  testBucket: z.string().optional(),
});
export type S3Form = z.infer<typeof s3FormSchema>;

const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
/** S3 bucket naming rules: 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const HOW_TO_AUTHORISE =
  'Authorise it in Atlas first (Project → Integrations → AWS IAM Role Access, i.e. Unified AWS Access); it needs s3:ListAllMyBuckets and s3:PutObject.';

export function roleArnError(arn: string): string | undefined {
  if (arn === '') return 'Choose the IAM role Atlas should assume.';
  const m = ROLE_ARN.exec(arn);
  if (!m) return 'This is not an IAM role ARN; it looks like arn:aws:iam::123456789012:role/atlas-s3-writer.';
  if (m[1] !== 'aws') return `Atlas Stream Processing runs in the commercial AWS partition; ${m[1]} roles cannot be used.`;
  return undefined;
}

export const s3Connection: ConnectionType<S3Form> = {
  id: 's3',
  label: 'S3',
  atlasType: 'S3',
  notes:
    'S3 connections are sink-only: use them with `$emit`, not `$merge`. The IAM role must be authorised in the project through Unified AWS Access and allow `s3:ListAllMyBuckets` and `s3:PutObject`.',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: S3_BLOCKS.role,
      label: plain('IAM role'),
      hint: plain('Roles authorised in the project load as you type. Paste an ARN to use one that is not listed.'),
      element: { type: 'external_select', action_id: S3_ACTIONS.role, min_query_length: 0, placeholder: plain('arn:aws:iam::…:role/…') },
    },
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
    const roleArn = selectedValue(values, S3_BLOCKS.role, S3_ACTIONS.role) ?? '';
    const roleError = roleArnError(roleArn);
    if (roleError) errors[S3_BLOCKS.role] = roleError;
    const testBucket = textValue(values, S3_BLOCKS.testBucket, S3_ACTIONS.testBucket);
    if (testBucket && !BUCKET.test(testBucket)) {
      errors[S3_BLOCKS.testBucket] = 'Not a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.';
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return { ok: true, value: { roleArn, ...(testBucket ? { testBucket } : {}) } };
  },
  externalOptions: [
    {
      actionId: S3_ACTIONS.role,
      async load(query, lookups) {
        const arns = (await lookups.authorisedRoles()).map((r) => r.arn);
        const matching = arns.filter((arn) => arn.toLowerCase().includes(query.toLowerCase())).slice(0, 99);
        // A pasted ARN that is not listed is offered as typed; the submission says why it is refused.
        const typed = query && !arns.includes(query) && !roleArnError(query) && query.length <= 150 ? [option(truncate(`${query} (not authorised)`, 75), query)] : [];
        return [...matching.map((arn) => option(arn.length > 75 ? `…${arn.slice(-74)}` : arn, arn)).filter((o) => (o.value ?? '').length <= 150), ...typed];
      },
    },
  ],
  async checkWithAtlas(form, atlas): Promise<FieldErrors> {
    const roles = await atlas.authorisedRoles();
    if (roles === undefined || roles.some((r) => r.arn === form.roleArn)) return {};
    return { [S3_BLOCKS.role]: `This role is not authorised in the project. ${HOW_TO_AUTHORISE}` };
  },
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
