// Every message builder over hostile text from people and from Atlas: whatever they carry, no
// mention (`<!channel>`, `<@U…>`, `<!subteam^…>`), no link (`<https://…|…>`) and no raw `<` or `>`
// of theirs reaches Slack's mrkdwn. Builders are run as the app runs them, with the hostile value
// in each place that text from outside can reach.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { CONNECTION_TYPES } from '../../src/connections/index.js';
import { maskSecret } from '../../src/connections/types.js';
import { parseCommand } from '../../src/handlers/commands/parse.js';
import { auditBlocks } from '../../src/modals/audit.js';
import { helpText } from '../../src/modals/help.js';
import { connectionDetailBlocks, connectionListBlocks, privateLinkBlocks } from '../../src/modals/listings.js';
import { openRequestsText } from '../../src/modals/status.js';
import { outcomeReply } from '../../src/modals/threadMessages.js';
import type { Target } from '../../src/config/file.js';
import type { RequestRow } from '../../src/store/requestStore.js';
import { requestRow } from '../support/requestRow.js';
import { advance, initialState, waitingInstruction, type PlState } from '../../src/workflows/privateLinkMachine.js';

const ATTACKS = ['<!channel>', '<!here>', '<@U0ATTACKER>', '<!subteam^S0ATTACK>', '<https://phish.example|Click to approve>', '<#C0ATTACK>', '&lt;!channel&gt;', '>quote'];
const hostile = fc.oneof(
  fc.constantFrom(...ATTACKS),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...ATTACKS), fc.string({ maxLength: 20 })).map(([a, b, c]) => `${a}${b}${c}`),
);

/** Every piece of text a Slack message or block list holds. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

/** The hostile value's own markup never survives; spconn's own mentions (`<@UREQ>` etc.) may. */
function assertEscaped(output: unknown, evil: string): void {
  for (const text of texts(output)) {
    for (const attack of ATTACKS.filter((a) => a.startsWith('<') && evil.includes(a))) expect(text).not.toContain(attack);
    expect(text).not.toMatch(/<!channel>|<!here>|<@U0ATTACKER>|<!subteam\^S0ATTACK>|<https:\/\/phish|<#C0ATTACK>/);
  }
}

const target: Target = { name: 'prod', projectId: 'a'.repeat(24), instance: 'spi', owners: ['UOWNER'], allowSelfApproval: false } as Target;
const row = (patch: Partial<RequestRow>): RequestRow =>
  requestRow('abcdef012345', { connection_name: 'orders', target_name: 'prod', requester_id: 'UREQ', channel_id: 'C0CHAN', message_ts: '1700000000.000100', ...patch });
const timing = { pollMinMs: 1000, pollMaxMs: 8000, linkTimeoutMs: 3_600_000, connectionTimeoutMs: 1_800_000 };
const plan = { clusterKind: 'serverless' as const, region: 'us-east-1', atlasRegion: 'US_EAST_1', serviceEndpointId: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0', dnsDomain: 'abc.us-east-1.aws.confluent.cloud', dnsSubDomain: [] };

describe('text from people and from Atlas is escaped where it enters mrkdwn', () => {
  it("an owner's reject reason", () => {
    fc.assert(fc.property(hostile, (evil) => assertEscaped(outcomeReply(row({ state: 'rejected' }), { actor: 'UOWNER', note: evil }, undefined), evil)));
  });

  it("Atlas's error detail and code in the thread and on the card", () => {
    fc.assert(
      fc.property(hostile, hostile, fc.constantFrom(400, 403, 409, 500), (detail, code, status) => {
        const message = new AtlasApiError(status, code, detail, 'create connection orders').userMessage;
        assertEscaped(outcomeReply(row({ state: 'failed' }), undefined, message), detail + code);
      }),
    );
  });

  it("a Private Link's errorMessage, its state, ids and account from Atlas", () => {
    fc.assert(
      fc.property(hostile, hostile, (evil, other) => {
        let s: PlState = initialState(plan);
        const said: string[] = [];
        for (const outcome of [
          { kind: 'link_found' as const },
          { kind: 'link_requested' as const, linkId: other, createdByUs: true },
          { kind: 'link_state' as const, state: evil },
          { kind: 'link_state' as const, state: 'DONE', interfaceEndpointId: other },
        ]) {
          const next = advance(s, outcome, new Date(), timing);
          said.push(...next.say.map((x) => x.text));
          s = next.state;
        }
        said.push(waitingInstruction(s) ?? '');
        const failed = advance(initialState(plan), { kind: 'link_state', state: 'FAILED', errorMessage: evil }, new Date(), timing);
        const failedLink = advance({ ...initialState(plan), step: 'await_link', linkId: other }, { kind: 'link_state', state: 'FAILED', errorMessage: evil }, new Date(), timing);
        assertEscaped([said, failed.state.outcome ?? '', failedLink.state.outcome ?? ''], evil + other);
      }),
    );
  });

  it("a connection's state, protocol and fields in list and show", () => {
    fc.assert(
      fc.property(hostile, (evil) => {
        const connections = [
          { name: 'k', type: 'Kafka', state: evil, bootstrapServers: evil, security: { protocol: evil }, authentication: { mechanism: evil, username: evil }, networking: { access: { type: evil, connectionId: evil } } },
          { name: 'h', type: 'Https', state: evil, url: evil },
          { name: 's', type: 'S3', state: evil, aws: { roleArn: evil } },
          { name: 'x', type: evil, state: evil },
        ];
        assertEscaped(connectionListBlocks(target, connections, 0), evil);
        for (const c of connections) assertEscaped(connectionDetailBlocks(target, c), evil);
        for (const type of CONNECTION_TYPES) assertEscaped(type.describe(connections[0]!), evil);
        assertEscaped(privateLinkBlocks(target, [{ _id: evil, state: evil, errorMessage: evil, vendor: evil, provider: evil, region: evil, dnsDomain: evil, serviceEndpointId: evil }]), evil);
      }),
    );
  });

  it('the two characters a masked secret shows', () => {
    fc.assert(fc.property(hostile, (evil) => assertEscaped(maskSecret(`secret-value${evil}`), evil)));
  });

  it('command words echoed back, and the open requests a status lists', () => {
    fc.assert(
      fc.property(hostile, (evil) => {
        const word = evil.replace(/\s+/g, '');
        const command = parseCommand(`${word} x`);
        if (command.kind === 'usage') assertEscaped(helpText(command.problem), word);
        assertEscaped(openRequestsText([], 'acme', word), word);
        assertEscaped(openRequestsText([row({ connection_name: evil, target_name: evil })], evil, undefined), evil);
      }),
    );
  });

  it('the audit trail', () => {
    fc.assert(
      fc.property(hostile, (evil) => {
        const entry = { id: 'abcdef012345', createdAt: '2026-12-01T00:00:00.000Z', action: evil, typeLabel: evil, connectionName: evil, target: evil, requesterId: 'UREQ', state: 'rejected', decision: { verb: 'rejected' as const, by: 'UOWNER', note: evil }, fields: [[evil, 'x']] as Array<[string, string]>, outcome: evil };
        assertEscaped(auditBlocks({ targets: [evil], days: 7, entries: [entry], total: 1 }), evil);
      }),
    );
  });
});
