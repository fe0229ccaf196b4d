// How `/spconn show` says which secret fields of a connection come from which Secrets Manager reference.
import type { ConnectionRef } from '../store/secretRefs.js';
import { escapeMrkdwn, type AnyBlock } from './blocks.js';

export function secretRefBlocks(refs: readonly ConnectionRef[]): AnyBlock[] {
  if (refs.length === 0) return [];
  const lines = refs.slice(0, 20).map((r) => `\`${escapeMrkdwn(r.fieldPath)}\` from ${escapeMrkdwn(r.reference.replace(/`/g, "'"))}${r.versionId ? ` (version \`${escapeMrkdwn(r.versionId)}\`)` : ''}`);
  return [{ type: 'section', text: { type: 'mrkdwn', text: `*Secrets by reference*\n${lines.join('\n')}`.slice(0, 3000) } }];
}
