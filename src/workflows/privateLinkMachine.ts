// The Confluent Private Link setup (README, "The Private Link setup") as a pure state machine: `actionFor` says what to do
// in a state, `advance` takes the outcome and gives the next state and what to say in the thread.
// The runner persists each state before it performs the next action, so a restart resumes here.
import { z } from 'zod';
import { escapeMrkdwn } from '../modals/blocks.js';

export const PL_STEPS = [
  'find_link',
  'account_details',
  'await_access',
  'request_link',
  'await_link',
  'await_access_point',
  'create_connection',
  'await_connection',
  'done',
  'failed',
  'cancelled',
] as const;
export type PlStep = (typeof PL_STEPS)[number];

export const planSchema = z.object({
  clusterKind: z.enum(['dedicated', 'serverless']),
  region: z.string(),
  atlasRegion: z.string(),
  serviceEndpointId: z.string(),
  dnsDomain: z.string(),
  dnsSubDomain: z.array(z.string()),
});
/** What a setup needs besides the Kafka body; everything in it is shown on the card. */
export type PrivateLinkPlan = z.infer<typeof planSchema>;

export const plStateSchema = z.object({
  step: z.enum(PL_STEPS),
  plan: planSchema,
  linkId: z.string().optional(),
  linkCreatedByUs: z.boolean().default(false),
  reused: z.boolean().default(false),
  awsAccountId: z.string().optional(),
  interfaceEndpointId: z.string().optional(),
  /** Polls made in the current step. */
  attempt: z.number().int().default(0),
  /** When the current wait began (ISO), for the give-up deadline. */
  waitingSince: z.string().optional(),
  /** Not before this time (ISO); absent means now. */
  nextRunAt: z.string().optional(),
  /** The last Atlas state seen for the link or the connection. */
  lastSeenState: z.string().optional(),
  outcome: z.string().optional(),
  /** The step the setup was in when it failed or was cancelled. */
  stoppedAt: z.enum(PL_STEPS).optional(),
  /** Who cancelled it. */
  stoppedBy: z.string().optional(),
});
export type PlState = z.infer<typeof plStateSchema>;

export type PlAction =
  | { kind: 'find_link' }
  | { kind: 'account_details' }
  | { kind: 'request_link' }
  | { kind: 'poll_link'; linkId: string }
  | { kind: 'create_connection'; linkId: string }
  | { kind: 'poll_connection' }
  | { kind: 'wait_for_person' }
  | { kind: 'finished' };

export type PlOutcome =
  | { kind: 'link_found'; linkId?: string; state?: string }
  | { kind: 'account'; awsAccountId: string }
  | { kind: 'link_requested'; linkId: string; createdByUs: boolean }
  | { kind: 'link_state'; state: string | undefined; errorMessage?: string; interfaceEndpointId?: string }
  | { kind: 'connection_state'; state: string | undefined }
  | { kind: 'done_clicked'; by: string }
  | { kind: 'cancel'; by: string }
  | { kind: 'error'; message: string };

/** A thread reply; `prompt` adds Done / Cancel buttons for the step a person must act in. */
export type PlSay = { text: string; prompt?: PlStep };

export interface PlTiming {
  pollMinMs: number;
  pollMaxMs: number;
  /** Give up waiting for the link after this long (Atlas: 30–60 min is normal). */
  linkTimeoutMs: number;
  /** Give up waiting for the connection to become READY after this long. */
  connectionTimeoutMs: number;
}

export function initialState(plan: PrivateLinkPlan): PlState {
  return { step: 'find_link', plan, linkCreatedByUs: false, reused: false, attempt: 0 };
}

export function isFinal(state: PlState): boolean {
  return state.step === 'done' || state.step === 'failed' || state.step === 'cancelled';
}

export function actionFor(state: PlState): PlAction {
  switch (state.step) {
    case 'find_link':
      return { kind: 'find_link' };
    case 'account_details':
      return { kind: 'account_details' };
    case 'request_link':
      return { kind: 'request_link' };
    case 'await_link':
      return { kind: 'poll_link', linkId: state.linkId! };
    case 'create_connection':
      return { kind: 'create_connection', linkId: state.linkId! };
    case 'await_connection':
      return { kind: 'poll_connection' };
    case 'await_access':
    case 'await_access_point':
      return { kind: 'wait_for_person' };
    default:
      return { kind: 'finished' };
  }
}

const enter = (state: PlState, step: PlStep, now: Date, patch: Partial<PlState> = {}): PlState => ({
  ...state,
  ...patch,
  step,
  attempt: 0,
  waitingSince: now.toISOString(),
  nextRunAt: undefined,
});

// A setup's end is told once, by the request's announcement (with the offer to delete a link it
// created), so failing and cancelling say nothing of their own in the thread.
const fail = (state: PlState, now: Date, text: string): { state: PlState; say: PlSay[] } => ({
  state: { ...enter(state, 'failed', now), outcome: text, stoppedAt: state.step },
  say: [],
});

/** A Private Link that a failed or cancelled setup created and left behind. */
export function leftoverLink(state: PlState): string | undefined {
  return (state.step === 'failed' || state.step === 'cancelled') && state.linkCreatedByUs && state.linkId ? state.linkId : undefined;
}

/** The wait after the poll numbered `attempt` (0 for the first) of a step: doubling, capped. */
export function pollDelay(attempt: number, timing: Pick<PlTiming, 'pollMinMs' | 'pollMaxMs'>): number {
  return Math.min(timing.pollMaxMs, timing.pollMinMs * 2 ** attempt);
}

function pollAgain(state: PlState, now: Date, timing: PlTiming, seen: string | undefined): PlState {
  const delay = pollDelay(state.attempt, timing);
  return { ...state, attempt: state.attempt + 1, lastSeenState: seen, nextRunAt: new Date(now.getTime() + delay).toISOString() };
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} seconds`;
}

/** What a person must do in Confluent while the setup waits for them; shown in the thread and on the card. */
export function waitingInstruction(state: PlState): string | undefined {
  if (state.step === 'await_access') {
    return `In Confluent Cloud, open the dedicated cluster → *Networking* → *Add Private Link Access* and add the Atlas AWS account \`${escapeMrkdwn(state.awsAccountId ?? '')}\` (region ${state.plan.region}). Press *Done* when it is added.`;
  }
  if (state.step === 'await_access_point') {
    return `In Confluent Cloud, open the cluster’s network settings and *add an access point* for the interface endpoint \`${escapeMrkdwn(state.interfaceEndpointId ?? '')}\`. Press *Done* when it is added.`;
  }
  return undefined;
}

/** The step after a link is ready: serverless clusters need an access point first. */
function afterLinkReady(state: PlState, now: Date, interfaceEndpointId: string | undefined): { state: PlState; say: PlSay[] } {
  const ready: PlSay = { text: `:white_check_mark: Private Link \`${escapeMrkdwn(state.linkId ?? '')}\` is ready.` };
  if (state.plan.clusterKind === 'serverless' && !state.reused) {
    if (!interfaceEndpointId) return fail(state, now, `Atlas reports Private Link \`${escapeMrkdwn(state.linkId ?? '')}\` as ready but without an interface endpoint ID; ask an operator to check it in Atlas.`);
    const next = enter(state, 'await_access_point', now, { interfaceEndpointId });
    return { state: next, say: [ready, { text: waitingInstruction(next)!, prompt: 'await_access_point' }] };
  }
  return { state: enter(state, 'create_connection', now, { interfaceEndpointId }), say: [ready] };
}

export function advance(state: PlState, outcome: PlOutcome, now: Date, timing: PlTiming): { state: PlState; say: PlSay[] } {
  if (isFinal(state)) return { state, say: [] };
  if (outcome.kind === 'cancel') {
    return { state: { ...enter(state, 'cancelled', now), outcome: 'Cancelled.', stoppedAt: state.step, stoppedBy: outcome.by }, say: [] };
  }
  if (outcome.kind === 'error') return fail(state, now, outcome.message);

  switch (state.step) {
    case 'find_link': {
      if (outcome.kind !== 'link_found') break;
      if (outcome.linkId) {
        const next = enter(state, 'await_link', now, { linkId: outcome.linkId, reused: true, linkCreatedByUs: false });
        return {
          state: next,
          say: [{ text: `The project already has Private Link \`${escapeMrkdwn(outcome.linkId)}\` to this Confluent cluster (a project may hold only one); reusing it.` }],
        };
      }
      if (state.plan.clusterKind === 'dedicated') return { state: enter(state, 'account_details', now), say: [] };
      return { state: enter(state, 'request_link', now), say: [{ text: 'No Private Link to this cluster yet; requesting one (serverless clusters need no account registration first).' }] };
    }
    case 'account_details': {
      if (outcome.kind !== 'account') break;
      const next = enter(state, 'await_access', now, { awsAccountId: outcome.awsAccountId });
      return { state: next, say: [{ text: waitingInstruction(next)!, prompt: 'await_access' }] };
    }
    case 'await_access': {
      if (outcome.kind !== 'done_clicked') break;
      return { state: enter(state, 'request_link', now), say: [{ text: `<@${outcome.by}> confirmed the account is added in Confluent. Requesting the Private Link…` }] };
    }
    case 'request_link': {
      if (outcome.kind !== 'link_requested') break;
      return {
        state: enter(state, 'await_link', now, { linkId: outcome.linkId, linkCreatedByUs: outcome.createdByUs }),
        say: [{ text: `Requested Private Link \`${escapeMrkdwn(outcome.linkId)}\`. Atlas usually takes 30 to 60 minutes to provision it; the card shows progress.` }],
      };
    }
    case 'await_link': {
      if (outcome.kind !== 'link_state') break;
      if (outcome.state === 'DONE') return afterLinkReady(state, now, outcome.interfaceEndpointId);
      if (outcome.state === 'FAILED') {
        return fail(
          state,
          now,
          `Atlas could not set up Private Link \`${escapeMrkdwn(state.linkId ?? '')}\`: ${escapeMrkdwn(outcome.errorMessage ?? 'no reason given')}. Check in Confluent that the endpoint service accepts the Atlas AWS account${state.awsAccountId ? ` \`${escapeMrkdwn(state.awsAccountId)}\`` : ''} and that the service name and DNS domain are right.`,
        );
      }
      if (now.getTime() - Date.parse(state.waitingSince ?? now.toISOString()) > timing.linkTimeoutMs) {
        return fail(state, now, `Private Link \`${escapeMrkdwn(state.linkId ?? '')}\` was still ${escapeMrkdwn(outcome.state ?? 'provisioning')} after ${minutes(timing.linkTimeoutMs)}; spconn stopped waiting. Check it with \`/spconn privatelinks\` and ask an operator.`);
      }
      return { state: pollAgain(state, now, timing, outcome.state), say: [] };
    }
    case 'await_access_point': {
      if (outcome.kind !== 'done_clicked') break;
      return { state: enter(state, 'create_connection', now), say: [{ text: `<@${outcome.by}> confirmed the access point is added in Confluent. Creating the connection…` }] };
    }
    case 'create_connection': {
      if (outcome.kind !== 'connection_state') break;
      if (outcome.state === 'READY') return { state: { ...enter(state, 'done', now), outcome: 'ready' }, say: [] };
      return { state: enter(state, 'await_connection', now, { lastSeenState: outcome.state }), say: [{ text: `Created the Kafka connection; Atlas reports it ${escapeMrkdwn(outcome.state ?? 'PENDING')}. Private networking can take 20 to 30 minutes to become READY.` }] };
    }
    case 'await_connection': {
      if (outcome.kind !== 'connection_state') break;
      if (outcome.state === 'READY') return { state: { ...enter(state, 'done', now), outcome: 'ready' }, say: [] };
      if (outcome.state === 'FAILED') return fail(state, now, 'Atlas reports the Kafka connection FAILED. Check the API key and secret, and the bootstrap server, in Confluent.');
      if (now.getTime() - Date.parse(state.waitingSince ?? now.toISOString()) > timing.connectionTimeoutMs) {
        return fail(state, now, `The connection was still ${escapeMrkdwn(outcome.state ?? 'PENDING')} after ${minutes(timing.connectionTimeoutMs)}; spconn stopped waiting. \`/spconn show\` tells its state later.`);
      }
      return { state: pollAgain(state, now, timing, outcome.state), say: [] };
    }
  }
  // An outcome that does not belong to this step (a stale Done click, say) changes nothing.
  return { state, say: [] };
}

export type ChecklistStatus = 'done' | 'current' | 'todo' | 'skipped' | 'failed';
export interface ChecklistItem {
  label: string;
  status: ChecklistStatus;
}

/** The card's checklist, derived from the state. */
export function checklist(state: PlState): ChecklistItem[] {
  const dedicated = state.plan.clusterKind === 'dedicated';
  const items: Array<{ label: string; steps: PlStep[]; skip?: boolean }> = [
    { label: 'Look for an existing Private Link', steps: ['find_link'] },
    { label: 'Register the Atlas AWS account in Confluent', steps: ['account_details', 'await_access'], skip: !dedicated || state.reused },
    { label: 'Request the Private Link', steps: ['request_link'], skip: state.reused },
    { label: 'Wait for the Private Link', steps: ['await_link'] },
    { label: 'Add the access point in Confluent', steps: ['await_access_point'], skip: dedicated || state.reused },
    { label: 'Create the Kafka connection', steps: ['create_connection', 'await_connection'] },
  ];
  const stoppedAt = state.step === 'failed' || state.step === 'cancelled';
  const order = PL_STEPS.indexOf(stoppedAt && state.stoppedAt ? state.stoppedAt : state.step);
  let currentSeen = false;
  return items.map((item) => {
    if (item.skip) return { label: item.label, status: 'skipped' as const };
    const last = Math.max(...item.steps.map((s) => PL_STEPS.indexOf(s)));
    if (state.step === 'done' || last < order) return { label: item.label, status: 'done' as const };
    if (!currentSeen) {
      currentSeen = true;
      return { label: item.label, status: stoppedAt ? ('failed' as const) : ('current' as const) };
    }
    return { label: item.label, status: 'todo' as const };
  });
}
