// `npx tsx bench/heapSummary.ts <file.heapsnapshot> [top]`: what a V8 heap snapshot holds, by
// constructor or node type (count, self size), and for the largest groups who retains them
// (the names of the retaining objects and edges). Enough to see what each waiting setup holds.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export function summariseHeap(file: string, top = 25): string {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const { meta } = snap.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const count = snap.nodes.length / nf;

  const label = (i: number) => {
    const type = nodeTypes[snap.nodes[i * nf + nType]!]!;
    const name = snap.strings[snap.nodes[i * nf + nName]!]!;
    if (type === 'object' || type === 'closure' || type === 'native') return `${type}:${name.slice(0, 60)}`;
    if (type === 'code' || type === 'hidden' || type === 'array') return `${type}:${name.slice(0, 40)}`;
    return type;
  };

  const groups = new Map<string, { count: number; size: number }>();
  const labels: string[] = new Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const l = label(i);
    labels[i] = l;
    const size = snap.nodes[i * nf + nSize]!;
    total += size;
    const g = groups.get(l) ?? { count: 0, size: 0 };
    g.count++;
    g.size += size;
    groups.set(l, g);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, top);

  // Retainers of the largest groups: who points at them, and by which edge.
  const wanted = new Set(sorted.slice(0, 10).map(([l]) => l));
  const retainers = new Map<string, Map<string, number>>();
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const edges = snap.nodes[i * nf + nEdges]!;
    for (let k = 0; k < edges; k++, edge++) {
      const to = snap.edges[edge * ef + eTo]! / nf;
      const toLabel = labels[to]!;
      if (!wanted.has(toLabel)) continue;
      const type = edgeTypes[snap.edges[edge * ef + eType]!]!;
      if (type === 'weak') continue;
      const raw = snap.edges[edge * ef + eName]!;
      const name = type === 'element' || type === 'hidden' ? `[${type}]` : String(snap.strings[raw]);
      const key = `${labels[i]} .${name}`;
      const m = retainers.get(toLabel) ?? new Map<string, number>();
      m.set(key, (m.get(key) ?? 0) + 1);
      retainers.set(toLabel, m);
    }
  }

  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  const lines = [`${count} nodes, ${mb(total)} MB self size`, '', '| what | count | self MB |', '|---|---|---|'];
  for (const [l, g] of sorted) lines.push(`| ${l.replace(/\|/g, '\\|')} | ${g.count} | ${mb(g.size)} |`);
  lines.push('', 'Retained by (top 5 edges each):');
  for (const [l] of sorted.slice(0, 10)) {
    const m = [...(retainers.get(l) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    lines.push(`- ${l}: ${m.map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/heapSummary.ts <file.heapsnapshot> [top]');
  process.stdout.write(`${summariseHeap(file, Number(process.argv[3] ?? 25))}\n`);
}
