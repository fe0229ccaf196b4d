// AWS Lambda connections: the functions a pipeline's `$externalFunction` stage calls, through an
// IAM role the project authorised with Unified AWS Access (the same picker and check as S3).
import { z } from 'zod';
import { escapeMrkdwn, type AnyBlock } from '../modals/blocks.js';
import { selectState, type ViewStateValues } from '../modals/viewState.js';
import { awsRolePicker } from './awsRole.js';
import { accessBody, accessSummary, describeAccess, networkAccessSchema, networkingFields } from './networking.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const LAMBDA_BLOCKS = { role: 'lambda_role' } as const;
export const LAMBDA_ACTIONS = { role: 'lambda_role_arn' } as const;

// `sayPublic`: an edit states public networking too, so a move from Private Link is seen (a replace).
export const lambdaFormSchema = z.object({ roleArn: z.string(), access: networkAccessSchema, sayPublic: z.boolean().optional() });
export type LambdaForm = z.infer<typeof lambdaFormSchema>;

const role = awsRolePicker({
  blockId: LAMBDA_BLOCKS.role,
  actionId: LAMBDA_ACTIONS.role,
  permissions: 'lambda:InvokeFunction and lambda:GetFunctionConfiguration on the functions',
});
export const LAMBDA_NETWORKING = networkingFields('lambda');

export const lambdaConnection: ConnectionType<LambdaForm> = {
  id: 'lambda',
  label: 'AWS Lambda',
  atlasType: 'AWSLambda',
  notes:
    'Pipelines call the functions with `$externalFunction`. The IAM role must be authorised in the project through Unified AWS Access and allow `lambda:InvokeFunction` (and `lambda:GetFunctionConfiguration`); the functions must be in the stream processing instance\'s AWS region.',
  formBlocks: (): AnyBlock[] => [role.block(), ...LAMBDA_NETWORKING.formBlocks()],
  parseForm(values: ViewStateValues, editing) {
    const errors: FieldErrors = {};
    const roleArn = role.read(values);
    if (!roleArn.ok) errors[LAMBDA_BLOCKS.role] = roleArn.error;
    const access = LAMBDA_NETWORKING.read(values);
    if (!access.ok) Object.assign(errors, access.errors);
    if (!roleArn.ok || !access.ok) return { ok: false, errors };
    return { ok: true, value: { roleArn: roleArn.roleArn, access: access.access, ...(editing ? { sayPublic: true } : {}) } };
  },
  externalOptions: [role.menu],
  checkWithAtlas: (form, atlas) => role.check(form.roleArn, atlas),
  // `publicPrivateNetworking` is optional and Atlas defaults it to PUBLIC: sent only for Private Link.
  atlasBody: (name, form) => ({
    name,
    type: 'AWSLambda',
    aws: { roleArn: form.roleArn },
    ...(form.access.type === 'PRIVATE_LINK' || form.sayPublic ? { publicPrivateNetworking: accessBody(form.access) } : {}),
  }),
  secretValues: () => [],
  summary: (form) => [
    ['IAM role', `\`${escapeMrkdwn(form.roleArn)}\``],
    ['Networking', accessSummary(form.access)],
  ],
  formFromConnection: (connection) => {
    const roleArn = field(connection, 'aws', 'roleArn');
    return {
      ...(roleArn ? { [LAMBDA_BLOCKS.role]: { [LAMBDA_ACTIONS.role]: selectState(roleArn, 'external_select') } } : {}),
      ...LAMBDA_NETWORKING.fromConnection(connection, 'publicPrivateNetworking'),
    };
  },
  describe: (connection) => [
    ['IAM role', `\`${escapeMrkdwn(field(connection, 'aws', 'roleArn') ?? '?')}\``],
    ['Networking', describeAccess(connection, 'publicPrivateNetworking')],
  ],
};
