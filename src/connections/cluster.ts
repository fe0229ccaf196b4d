// Atlas cluster connections: change streams in and `$merge` out. The cluster is picked from the
// project's clusters with their state (a paused or deleting one is refused), optionally in another
// project, and the connection executes as a built-in role or one of the project's custom roles.
import { z } from 'zod';
import { clusterUnusableReason } from '../atlas/clusters.js';
import { escapeMrkdwn, option, plain, textInput, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, selectState, textState, textValue, type ViewStateValues } from '../modals/viewState.js';
import { field, type ConnectionType, type FieldErrors } from './types.js';

export const CLUSTER_BLOCKS = { cluster: 'cluster_name', groupId: 'cluster_group', role: 'cluster_role' } as const;
export const CLUSTER_ACTIONS = { cluster: 'cluster_name', groupId: 'cluster_group_id', role: 'db_role' } as const;

/** Atlas's built-in roles a stream processor can execute as (`type: BUILT_IN`). */
export const BUILT_IN_ROLES = ['read', 'readWrite', 'readAnyDatabase', 'readWriteAnyDatabase', 'atlasAdmin'] as const;
export const ROLE_TYPES = ['BUILT_IN', 'CUSTOM'] as const;

export const clusterFormSchema = z.object({
  clusterName: z.string(),
  clusterGroupId: z.string().optional(),
  role: z.object({ role: z.string(), type: z.enum(ROLE_TYPES) }),
});
export type ClusterForm = z.infer<typeof clusterFormSchema>;

/** Atlas cluster names: ASCII letters, digits and hyphens, at most 64, not starting with a hyphen. */
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/;
const GROUP_ID = /^[a-f0-9]{24}$/;
/** Custom role names: letters, digits, "_" and "-". */
const CUSTOM_ROLE = /^[A-Za-z0-9_-]{1,64}$/;

/** The menu value of a role: `BUILT_IN:readWrite`, `CUSTOM:ordersWriter`. */
export const roleValue = (type: (typeof ROLE_TYPES)[number], role: string): string => `${type}:${role}`;

export function parseRoleValue(value: string): ClusterForm['role'] | undefined {
  const m = /^(BUILT_IN|CUSTOM):(.+)$/.exec(value);
  if (!m) return undefined;
  const type = m[1] as (typeof ROLE_TYPES)[number];
  const role = m[2]!;
  if (type === 'BUILT_IN' && !BUILT_IN_ROLES.some((r) => r === role)) return undefined;
  if (type === 'CUSTOM' && !CUSTOM_ROLE.test(role)) return undefined;
  return { role, type };
}

const roleText = (role: ClusterForm['role']) => `${role.role} (${role.type === 'BUILT_IN' ? 'built-in' : 'custom'})`;

export const clusterConnection: ConnectionType<ClusterForm> = {
  id: 'cluster',
  label: 'Atlas cluster',
  atlasType: 'Cluster',
  notes:
    'A cluster connection reads change streams and writes with `$merge`. The stream processor acts on the cluster as the database role chosen here. A cluster in another project needs the organisation setting for cross-project connections.',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: CLUSTER_BLOCKS.cluster,
      label: plain('Cluster'),
      hint: plain('The project’s clusters with their state load as you type. A paused or deleting cluster cannot be used.'),
      element: { type: 'external_select', action_id: CLUSTER_ACTIONS.cluster, min_query_length: 0, placeholder: plain('Cluster0') },
    },
    textInput({
      blockId: CLUSTER_BLOCKS.groupId,
      actionId: CLUSTER_ACTIONS.groupId,
      label: 'Project of the cluster',
      hint: 'Optional: the 24-hex project id, only when the cluster is in another project.',
      optional: true,
      maxLength: 24,
    }),
    {
      type: 'input',
      block_id: CLUSTER_BLOCKS.role,
      label: plain('Database role'),
      hint: plain('Built-in roles and the project’s custom roles. Choose the least the processors need.'),
      element: { type: 'external_select', action_id: CLUSTER_ACTIONS.role, min_query_length: 0, placeholder: plain('readWrite') },
    },
  ],
  parseForm(values: ViewStateValues) {
    const errors: FieldErrors = {};
    const clusterName = selectedValue(values, CLUSTER_BLOCKS.cluster, CLUSTER_ACTIONS.cluster) ?? '';
    if (clusterName === '') errors[CLUSTER_BLOCKS.cluster] = 'Choose the cluster the connection reads from or writes to.';
    else if (!CLUSTER_NAME.test(clusterName)) errors[CLUSTER_BLOCKS.cluster] = 'Atlas cluster names are up to 64 letters, digits and hyphens.';
    const clusterGroupId = textValue(values, CLUSTER_BLOCKS.groupId, CLUSTER_ACTIONS.groupId);
    if (clusterGroupId && !GROUP_ID.test(clusterGroupId)) {
      errors[CLUSTER_BLOCKS.groupId] = 'A project id is 24 hexadecimal digits (lower case), as in the project’s URL in Atlas.';
    }
    const roleChoice = selectedValue(values, CLUSTER_BLOCKS.role, CLUSTER_ACTIONS.role);
    const role = roleChoice === undefined ? undefined : parseRoleValue(roleChoice);
    if (!role) errors[CLUSTER_BLOCKS.role] = roleChoice ? 'Choose one of the listed database roles.' : 'Choose the database role the connection executes as.';
    if (Object.keys(errors).length > 0 || !role) return { ok: false, errors };
    return { ok: true, value: { clusterName, ...(clusterGroupId ? { clusterGroupId } : {}), role } };
  },
  externalOptions: [
    {
      actionId: CLUSTER_ACTIONS.cluster,
      async load(query, lookups) {
        const q = query.toLowerCase();
        const clusters = await lookups.clusters();
        const listed = clusters
          .filter((c) => c.name.toLowerCase().includes(q))
          .slice(0, 99)
          .map((c) => {
            const unusable = clusterUnusableReason(c);
            const state = c.paused ? 'PAUSED' : c.state;
            return option(`${c.name} — ${state}${unusable ? ' (cannot be used)' : ''}`, c.name);
          });
        // A cluster of another project is not listed: offer the name as typed.
        const typed = query && CLUSTER_NAME.test(query) && !clusters.some((c) => c.name === query) ? [option(`${query} (another project)`, query)] : [];
        return [...listed, ...typed];
      },
    },
    {
      actionId: CLUSTER_ACTIONS.role,
      async load(query, lookups) {
        const q = query.toLowerCase();
        const custom = await lookups.customRoles().catch(() => [] as string[]);
        const all = [
          ...BUILT_IN_ROLES.map((r) => ({ role: r, type: 'BUILT_IN' as const })),
          ...custom.filter((r) => CUSTOM_ROLE.test(r)).map((r) => ({ role: r, type: 'CUSTOM' as const })),
        ];
        return all.filter((r) => r.role.toLowerCase().includes(q)).slice(0, 100).map((r) => option(roleText(r), roleValue(r.type, r.role)));
      },
    },
  ],
  async checkWithAtlas(form, atlas): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    const [clusters, customRoles] = await Promise.all([
      atlas.clusters(form.clusterGroupId),
      form.role.type === 'CUSTOM' && !form.clusterGroupId ? atlas.customRoles() : Promise.resolve(undefined),
    ]);
    const where = form.clusterGroupId ? `project ${form.clusterGroupId}` : 'the project';
    if (clusters) {
      const cluster = clusters.find((c) => c.name === form.clusterName);
      const unusable = cluster ? clusterUnusableReason(cluster) : `There is no cluster named ${form.clusterName} in ${where}.`;
      if (unusable) errors[CLUSTER_BLOCKS.cluster] = unusable;
    }
    if (customRoles && !customRoles.includes(form.role.role)) {
      errors[CLUSTER_BLOCKS.role] = `The project has no custom role ${form.role.role}; create it in Atlas (Database Access → Custom Roles) first.`;
    }
    return errors;
  },
  atlasBody: (name, form) => ({
    name,
    type: 'Cluster',
    clusterName: form.clusterName,
    ...(form.clusterGroupId ? { clusterGroupId: form.clusterGroupId } : {}),
    dbRoleToExecute: { role: form.role.role, type: form.role.type },
  }),
  secretValues: () => [],
  summary: (form) => [
    ['Cluster', `\`${escapeMrkdwn(form.clusterName)}\``],
    ...(form.clusterGroupId ? [['In project', `\`${escapeMrkdwn(form.clusterGroupId)}\``] as [string, string]] : []),
    ['Database role', escapeMrkdwn(roleText(form.role))],
  ],
  // The edit form: cluster and role come back chosen (as their menu values), the project if another.
  formFromConnection: (connection) => {
    const values: ViewStateValues = {};
    const clusterName = field(connection, 'clusterName');
    const groupId = field(connection, 'clusterGroupId');
    const role = field(connection, 'dbRoleToExecute', 'role');
    const type = field(connection, 'dbRoleToExecute', 'type');
    if (clusterName) values[CLUSTER_BLOCKS.cluster] = { [CLUSTER_ACTIONS.cluster]: selectState(clusterName, 'external_select') };
    if (groupId) values[CLUSTER_BLOCKS.groupId] = { [CLUSTER_ACTIONS.groupId]: textState(groupId) };
    if (role && (type === 'BUILT_IN' || type === 'CUSTOM')) values[CLUSTER_BLOCKS.role] = { [CLUSTER_ACTIONS.role]: selectState(roleValue(type, role), 'external_select') };
    return values;
  },
  describe: (connection) => {
    const role = field(connection, 'dbRoleToExecute', 'role');
    const type = field(connection, 'dbRoleToExecute', 'type');
    const groupId = field(connection, 'clusterGroupId');
    return [
      ['Cluster', `\`${escapeMrkdwn(field(connection, 'clusterName') ?? '?')}\``],
      ...(groupId ? [['In project', `\`${escapeMrkdwn(groupId)}\``] as [string, string]] : []),
      ...(role ? [['Database role', escapeMrkdwn(type === 'BUILT_IN' || type === 'CUSTOM' ? roleText({ role, type }) : role)] as [string, string]] : []),
    ];
  },
};
