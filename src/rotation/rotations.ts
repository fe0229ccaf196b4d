// Opening a rotation (README, "Rotating a connection's secrets"), for `/spconn rotate` and the
// watcher alike: the connection's remembered references, Atlas's current definition, the PATCH of
// plan.ts as a `rotate` request (references only: values are read at execution), and, on a
// target with `rotation: auto`, spconn's own approval so it runs at once.
import type { AtlasClients } from '../atlas/clients.js';
import { getConnection } from '../atlas/streams.js';
import type { Target } from '../config/file.js';
import { connectionTypeForAtlas } from '../connections/index.js';
import type { Logger } from '../log.js';
import { escapeMrkdwn } from '../modals/blocks.js';
import type { RequestCore } from '../requests/core.js';
import type { RequestRow } from '../store/requestStore.js';
import type { RotationStore } from '../store/rotationStore.js';
import { planRotation } from './plan.js';

export interface RotationsDeps {
  requests: RequestCore;
  atlas: AtlasClients;
  store: RotationStore;
  logger: Logger;
}

export interface RotationInput {
  target: Target;
  name: string;
  /** Who asks: a person, or spconn (the watcher). */
  requesterId: string;
  channelId: string;
  /** Why, for the card (e.g. the new versions the watcher noticed). */
  reason?: string;
}

export type RotationOutcome =
  | { kind: 'no-references' }
  | { kind: 'gone' }
  | { kind: 'already-open'; requestId: string }
  | { kind: 'refused'; message: string }
  | { kind: 'submitted'; row: RequestRow; auto: boolean };

const NOTE =
  'Only the fields listed are sent, in one PATCH with the name and type; each secret is read from its reference when the request runs, so its value is never stored. Siblings of a secret that travel with it (Kafka authentication, HTTPS headers) are sent as Atlas has them now.';

export class Rotations {
  constructor(private readonly deps: RotationsDeps) {}

  async open(input: RotationInput): Promise<RotationOutcome> {
    const { requests, atlas, store } = this.deps;
    const { target, name } = input;
    const remembered = await requests.connectionRefs.forConnection(target.name, name);
    if (remembered.length === 0) return { kind: 'no-references' };
    const open = await store.openRotation(target.name, name);
    if (open) return { kind: 'already-open', requestId: open };
    const current = await getConnection(atlas.for(target), target, name);
    if (!current) return { kind: 'gone' };
    const plan = planRotation(current, remembered);
    if (!plan.ok) return { kind: 'refused', message: plan.error };
    const type = connectionTypeForAtlas(current.type);
    const lines = plan.fields.map((f) => `\`${escapeMrkdwn(f.fieldPath)}\` from ${escapeMrkdwn(f.reference)}`).join('\n');
    const auto = target.rotation === 'auto';
    const row = await requests.submit({
      target,
      requesterId: input.requesterId,
      channelId: input.channelId,
      call: { kind: 'rotate', at: { projectId: target.projectId, instance: target.instance }, body: plan.body, secretValues: plan.otherSecrets, refs: plan.refs },
      summary: {
        typeLabel: type?.label ?? current.type,
        projectId: target.projectId,
        instance: target.instance,
        fields: [
          ['Secrets rotated', lines],
          ...(input.reason ? ([['Why', escapeMrkdwn(input.reason)]] as Array<[string, string]>) : []),
          ...(auto ? ([['Approval', 'not needed: this target sets `rotation: auto`']] as Array<[string, string]>) : []),
        ],
        notes: NOTE,
      },
    });
    if (auto && row.state === 'pending') await requests.decisions.approveAsSpconn(row.id, 'the target sets rotation: auto');
    return { kind: 'submitted', row, auto };
  }
}
