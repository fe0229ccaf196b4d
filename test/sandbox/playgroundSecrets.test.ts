// The playground tries secrets by reference: the sandbox seeds secretsmanager:sandbox/…, a form
// uses one, "New version" puts another, and the approved request sends the version current then.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { WORLD } from '../../src/sandbox/world.js';
import { select, typed, usePlayground } from '../support/playground.js';

const playground = usePlayground();
const { api, approve } = playground;

describe('secrets by reference in the playground', () => {
  it('creates an HTTPS connection whose header comes from a seeded secret, in its newest version', async () => {
    const { slack, atlas } = playground.world;
    const viewId = await playground.open('/spconn create https');
    await api('api/view-submit', {
      as: WORLD.requester,
      viewId,
      values: {
        target: { target: select('sandbox') },
        connection_type: { connection_type_picked: select('https') },
        connection_name: { name: typed('by-reference') },
        https_url: { url: typed('https://api.example.com/hook') },
        https_headers: { headers: typed('Authorization: secretsmanager:sandbox/orders-api#token') },
      },
    });
    await slack.waitFor(() => slack.messages.some((m) => !m.threadTs && m.text.includes('connection by-reference ')));
    const card = slack.messages.find((m) => !m.threadTs && m.text.includes('connection by-reference '))!;
    expect(JSON.stringify(card.blocks)).toContain('from secretsmanager:sandbox/orders-api#token');

    const { versionId } = (await api('api/secrets/new-version', { name: 'sandbox/orders-api' })) as { versionId: string };
    expect(versionId).toMatch(/^[0-9a-f-]{36}$/);
    await approve(card);
    await atlas.waitFor(() => atlas.connections(WORLD.projectId, WORLD.instance).some((c) => c.name === 'by-reference'), 10_000);
    const created = atlas.connections(WORLD.projectId, WORLD.instance).find((c) => c.name === 'by-reference')!;
    const { SecretString } = await playground.world.secretsManagerClient().send(new GetSecretValueCommand({ SecretId: 'sandbox/orders-api' }));
    expect(created).toMatchObject({ headers: { Authorization: (JSON.parse(SecretString!) as { token: string }).token } });
  });
});
