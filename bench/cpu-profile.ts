/**
 * Summary of a V8 CPU profile (`node --cpu-prof`): self time per package (drizzle-orm, pg, fastify,
 * the service's own code, node's internals, GC …) and the hottest functions, within a time window.
 */
import { table } from './report.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: an npm package, a workspace package, node's own code, or V8's pseudo-frames. */
export function categoryOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native, not attributed)';
    return `(native) ${functionName}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1];
  const ws = /\/packages\/([^/]+)\//.exec(url);
  if (ws) return `@mci/${ws[1]} (the service's code)`;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  return url;
}

/**
 * The profile's self time by category and by function, limited to samples between `fromEndMs`
 * and `toEndMs` milliseconds before the profile's end (the measured load), per `requests`.
 */
export function summarizeProfile(
  profile: CpuProfile,
  requests: number,
  window?: { fromEndMs: number; toEndMs: number },
  rowsShown = 16,
): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Native frames (a socket write, a hash) are charged to the package that called them. */
  const callerPackage = (id: number): string | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const c = categoryOf(byId.get(p)!.callFrame);
      if (!c.startsWith('(') && !c.startsWith('node:')) return c;
    }
    return undefined;
  };
  const labelOf = (node: ProfileNode): string => {
    const c = categoryOf(node.callFrame);
    if (!c.startsWith('(native)') && !c.startsWith('node:')) return c;
    const caller = callerPackage(node.id);
    return caller ? `${c} ← ${caller}` : c;
  };
  let t = profile.startTime;
  const times = profile.timeDeltas.map((d) => (t += d));
  const end = times[times.length - 1] ?? profile.endTime;
  const from = window ? end - window.fromEndMs * 1000 : -Infinity;
  const to = window ? end - window.toEndMs * 1000 : Infinity;
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i] < from || times[i] > to) continue;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // ms until the next sample
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    total += dt;
    const category = labelOf(node);
    categories.set(category, (categories.get(category) ?? 0) + dt);
    if (category === '(idle)') continue;
    busy += dt;
    const fn = `${node.callFrame.functionName || '(anonymous)'} [${category.replace(/^\(native\) \S+ ?/, '')}]`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
  }
  const perRequest = (ms: number) => (requests > 0 ? (ms / requests).toFixed(3) : '–');
  const rows = [...categories]
    .filter(([c]) => c !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, rowsShown)
    .map(([c, ms]) => [c, ms.toFixed(0), `${((100 * ms) / busy).toFixed(1)} %`, perRequest(ms)]);
  const fnRows = [...functions]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Math.min(12, rowsShown))
    .map(([f, ms]) => [f.slice(0, 90), ms.toFixed(0), `${((100 * ms) / busy).toFixed(1)} %`]);
  return [
    `  busy ${busy.toFixed(0)} ms of ${total.toFixed(0)} ms sampled on the main thread; ${requests} requests →` +
      ` ${perRequest(busy)} ms of main-thread CPU per request`,
    table(['self time by package', 'ms', 'share of busy', 'ms/request'], rows),
    table(['hottest functions (self time)', 'ms', 'share'], fnRows),
  ].join('\n');
}
