// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the samples landed: self time by
// function, and by package (node_modules/<pkg>, node: internals, the app's own src/).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      hitCount: z.number().optional(),
    }),
  ),
  samples: z.array(z.number()),
});

export interface ProfileSummary {
  totalSamples: number;
  functions: Array<{ name: string; share: number }>;
  packages: Array<{ name: string; share: number }>;
}

function packageOf(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node internals';
  if (/\/src\//.test(url)) return 'spconn src';
  if (url === '') return '(native / idle / gc)';
  return url.split('/').slice(-2).join('/');
}

export function summarise(path: string, top = 20): ProfileSummary {
  const profile = profileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, hits] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + hits);
    const p = packageOf(url);
    pkg.set(p, (pkg.get(p) ?? 0) + hits);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, share: hits / total }));
  return { totalSamples: total, functions: ranked(fn), packages: ranked(pkg) };
}

if (process.argv[1]?.endsWith('profileSummary.ts')) {
  const s = summarise(process.argv[2]!, Number(process.argv[3] ?? 25));
  console.log(`${s.totalSamples} samples\n\nby package:`);
  for (const p of s.packages) console.log(`${(p.share * 100).toFixed(1).padStart(5)} %  ${p.name}`);
  console.log('\nby function (self):');
  for (const f of s.functions) console.log(`${(f.share * 100).toFixed(1).padStart(5)} %  ${f.name}`);
}
