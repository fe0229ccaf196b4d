// Pure pieces of the operating surface: the audit command's words, and Atlas endpoint templates
// (metric labels must not carry ids or names).
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/handlers/commands/parse.js';
import { atlasEndpoint, slackKindOf } from '../src/metrics/metrics.js';

describe('atlasEndpoint', () => {
  it.each([
    ['/groups/5f1a2b/streams/accountDetails', '/groups/{groupId}/streams/accountDetails'],
    ['/groups/5f1a2b/streams/inst-1/connections', '/groups/{groupId}/streams/{tenantName}/connections'],
    ['/groups/5f1a2b/streams/inst-1/connections/orders-api', '/groups/{groupId}/streams/{tenantName}/connections/{connectionName}'],
    ['/groups/5f1a2b/streams/privateLinkConnections', '/groups/{groupId}/streams/privateLinkConnections'],
    ['/groups/5f1a2b/streams/privateLinkConnections/65ab?pageNum=2', '/groups/{groupId}/streams/privateLinkConnections/{connectionId}'],
    ['/groups/5f1a2b/cloudProviderAccess', '/groups/{groupId}/cloudProviderAccess'],
  ])('%s → %s', (path, template) => {
    expect(atlasEndpoint(path)).toBe(template);
  });
});

describe('slackKindOf', () => {
  it('names each payload Slack sends by its kind, and anything else "other"', () => {
    expect(slackKindOf({ command: '/spconn', text: '' })).toBe('slash_command');
    expect(slackKindOf({ type: 'view_submission' })).toBe('view_submission');
    expect(slackKindOf({ type: 'block_suggestion' })).toBe('block_suggestion');
    expect(slackKindOf({ type: 'something_new' })).toBe('other');
    expect(slackKindOf('x')).toBe('other');
  });
});

describe('/spconn audit', () => {
  it('takes a target and days in either order, 7 days by default, 1 to 90', () => {
    expect(parseCommand('audit')).toEqual({ kind: 'audit', target: undefined, days: 7 });
    expect(parseCommand('audit prod')).toEqual({ kind: 'audit', target: 'prod', days: 7 });
    expect(parseCommand('audit prod 30')).toEqual({ kind: 'audit', target: 'prod', days: 30 });
    expect(parseCommand('audit 30 prod')).toEqual({ kind: 'audit', target: 'prod', days: 30 });
    expect(parseCommand('audit 91')).toMatchObject({ kind: 'usage', problem: 'Days are 1 to 90.' });
    expect(parseCommand('audit prod staging')).toMatchObject({ kind: 'usage' });
    expect(parseCommand('audit a 1 2')).toMatchObject({ kind: 'usage' });
  });
});
