// What every connection type provides: its form, how the form becomes an Atlas body, and how
// the request card shows it. A new type is one file beside this plus a line in index.ts.
import type { PlainTextOption } from '@slack/types';
import type { AuthorisedRole } from '../atlas/cloudProviderAccess.js';
import type { AzureServicePrincipal, GcpServiceAccount } from '../atlas/cloudPrincipals.js';
import type { ClusterSummary } from '../atlas/clusters.js';
import { escapeMrkdwn, type AnyBlock } from '../modals/blocks.js';
import type { ViewStateValues } from '../modals/viewState.js';
import type { ConnectionBody, StreamsConnection } from '../atlas/streams.js';
import type { PrivateLinkPlan } from '../workflows/privateLinkMachine.js';
import { isSecretReference } from '../secrets/references.js';

/** Look-ups a form may need from Atlas; undefined when Atlas did not answer within Slack's deadline. */
export interface AtlasLookups {
  authorisedRoles(): Promise<AuthorisedRole[] | undefined>;
  /** The clusters of the target's project, or of `projectId` (a cluster in another project). */
  clusters(projectId?: string): Promise<ClusterSummary[] | undefined>;
  /** Names of the project's custom database roles. */
  customRoles(): Promise<string[] | undefined>;
  azureServicePrincipals(): Promise<AzureServicePrincipal[] | undefined>;
  gcpServiceAccounts(): Promise<GcpServiceAccount[] | undefined>;
}

/** The same look-ups for a menu's options, where a failure simply shows no options. */
export type MenuLookups = { [K in keyof AtlasLookups]: (...args: Parameters<AtlasLookups[K]>) => Promise<NonNullable<Awaited<ReturnType<AtlasLookups[K]>>>> };

/** Options for one of a type's `external_select` menus, loaded after the modal opened. */
export interface ExternalOptions {
  /** The menu's action_id: the app's options listener for it is registered from this. */
  actionId: string;
  /** The options matching what the person typed; `lookups` reach the chosen target's project. */
  load(query: string, lookups: MenuLookups): Promise<PlainTextOption[]>;
}

/** Inline modal errors keyed by block id, as `response_action: "errors"` wants them. */
export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export interface ConnectionType<Form> {
  /** The word used in `/spconn create <id>`. */
  id: string;
  label: string;
  /** The `type` Atlas uses for it. */
  atlasType: string;
  /** The modal blocks of this type's own fields (target and name are common). */
  formBlocks(): AnyBlock[];
  /**
   * The form's values, checked. `editing` is the connection as Atlas has it now, when the form
   * edits it (`/spconn edit`): a secret field left empty then means "keep Atlas's value", and
   * `atlasBody` must leave that secret out.
   */
  parseForm(values: ViewStateValues, editing?: StreamsConnection): FormResult<Form>;
  atlasBody(name: string, form: Form): ConnectionBody;
  /** Every secret value in the form: masked on the card, sealed at rest, scrubbed from errors. */
  secretValues(form: Form): string[];
  /** Label → display text for the request card; secrets already masked. */
  summary(form: Form): Array<[string, string]>;
  /** For types set up by the Private Link workflow rather than one create call. */
  privateLinkPlan?(form: Form): PrivateLinkPlan;
  /** The type's `external_select` menus, if any. */
  externalOptions?: ExternalOptions[];
  /** Checks that need Atlas (e.g. the role is authorised in the project). */
  checkWithAtlas?(form: Form, atlas: AtlasLookups): Promise<FieldErrors>;
  /** Label → display text for an existing connection (list and show); secrets masked. */
  describe(connection: StreamsConnection): Array<[string, string]>;
  /**
   * For types whose connection name is not typed but chosen in the form (Sample: the name picks the
   * data set): the create form leaves out its name field, and name errors go on `blockId`.
   */
  namedBy?: { blockId: string; name(form: Form): string };
  /**
   * For `/spconn edit`: the form's values as Atlas defines `connection` now, in the shape Slack
   * submits them (the edit form shows them as initial values). Secret fields stay empty: Atlas
   * never returns secrets, and none is ever put into a Slack view. A type without it cannot be
   * edited; `/spconn edit` says so.
   */
  formFromConnection?(connection: StreamsConnection): ViewStateValues;
  /** Why a type has nothing to edit (Sample), said by `/spconn edit` instead of "not yet". */
  notEditable?: string;
  /** Things the requester should know about this type, shown in the form and on the card. */
  notes?: string;
}

/**
 * `••••` plus at most the last two characters, and only when the value is long enough to spare them.
 * A `secretsmanager:` reference is not a secret: it is shown as "from <reference>", escaped.
 */
export function maskSecret(value: string): string {
  if (isSecretReference(value)) return `from ${escapeMrkdwn(value.trim().replace(/`/g, "'"))}`;
  return value.length >= 8 ? `••••${escapeMrkdwn(value.slice(-2))}` : '••••';
}

/** Reads a nested string field of an Atlas object, or undefined. */
export function field(obj: Record<string, unknown>, ...path: string[]): string | undefined {
  let cur: unknown = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' ? cur : undefined;
}
