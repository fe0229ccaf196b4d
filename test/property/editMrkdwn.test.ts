// An edit's card and form over hostile text from Atlas (field values, field names, types,
// processor names and states) and from people (the values they type): none of its markup reaches
// Slack's mrkdwn, and no secret's value reaches the card.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/config/file.js';
import { changeLines, planEdit, processorLines } from '../../src/connections/edits.js';
import { httpsConnection } from '../../src/connections/https.js';
import { editModal } from '../../src/modals/editModal.js';

const ATTACKS = ['<!channel>', '<!here>', '<@U0ATTACKER>', '<!subteam^S0ATTACK>', '<https://phish.example|Click to approve>', '<#C0ATTACK>'];
const hostile = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...ATTACKS), fc.string({ maxLength: 20 })).map(([a, b, c]) => `${a}${b}${c}`);
const MARKUP = /<!channel>|<!here>|<@U0ATTACKER>|<!subteam\^S0ATTACK>|<https:\/\/phish|<#C0ATTACK>/;

function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (!value || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const own = obj.type === 'mrkdwn' && typeof obj.text === 'string' ? [obj.text] : [];
  return [...own, ...Object.values(obj).flatMap(mrkdwnTexts)];
}

describe("an edit's card and form escape what Atlas and people wrote", () => {
  it('the change lines, the replace reason and the processors', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (before, after, key, other) => {
        const current = { name: 'c', type: 'Https', url: before, [key]: before };
        const edit = planEdit(current, { name: 'c', type: 'Https', url: after, [key]: after }, []);
        const replace = planEdit(current, { name: 'c', type: other, url: after }, []);
        const lines = [...changeLines(edit.kind === 'none' ? [] : edit.changes), ...changeLines(replace.kind === 'none' ? [] : replace.changes)];
        for (const [label, text] of lines) expect(`${label} ${text}`).not.toMatch(MARKUP);
        expect(processorLines([{ name: before, state: after }])).not.toMatch(MARKUP);
      }),
    );
  });

  it('never shows a secret value, old or new, on the card', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 30 }), fc.string({ minLength: 8, maxLength: 30 }), (oldValue, newValue) => {
        fc.pre(oldValue !== newValue && !'Authorization'.includes(oldValue) && !'Authorization'.includes(newValue));
        const current = { name: 'c', type: 'Https', url: 'https://x.example', headers: { Authorization: oldValue, 'X-Gone': oldValue } };
        const plan = planEdit(current, { name: 'c', type: 'Https', url: 'https://x.example', headers: { Authorization: newValue } }, [newValue]);
        const shown = JSON.stringify(changeLines(plan.kind === 'none' ? [] : plan.changes));
        expect(shown).not.toContain(JSON.stringify(oldValue).slice(1, -1));
        expect(shown).not.toContain(JSON.stringify(newValue).slice(1, -1));
      }),
    );
  });

  it("the form's text about the connection and the target", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (name, targetName, atlasType) => {
        const target = { name: targetName, projectId: 'a'.repeat(24), instance: targetName, owners: ['U1'], allowSelfApproval: false } as Target;
        const view = editModal(httpsConnection, target, { channelId: 'C1', target: targetName, name, atlasType }, {});
        for (const text of mrkdwnTexts(view.blocks)) expect(text).not.toMatch(MARKUP);
      }),
    );
  });
});
