// AWS Lambda connections: the functions a pipeline's `$externalFunction` stage calls, through an
// IAM role the project authorised with Unified AWS Access (the same picker and check as S3).
import { z } from 'zod';
import { awsRolePicker, roleAndNetworking } from './awsRole.js';
import { accessBody, networkAccessSchema, networkingFields } from './networking.js';
import type { ConnectionType } from './types.js';

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
const fields = roleAndNetworking(role, LAMBDA_NETWORKING, 'publicPrivateNetworking');

export const lambdaConnection: ConnectionType<LambdaForm> = {
  id: 'lambda',
  label: 'AWS Lambda',
  atlasType: 'AWSLambda',
  notes:
    'Pipelines call the functions with `$externalFunction`. The IAM role must be authorised in the project through Unified AWS Access and allow `lambda:InvokeFunction` (and `lambda:GetFunctionConfiguration`); the functions must be in the stream processing instance\'s AWS region.',
  formBlocks: fields.formBlocks,
  parseForm(values, editing) {
    const read = fields.read(values);
    return read.ok && editing ? { ok: true, value: { ...read.value, sayPublic: true } } : read;
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
  summary: fields.summary,
  formFromConnection: fields.fromConnection,
  describe: fields.describe,
};
