// Summarizes a .cpuprofile (node --cpu-prof): self time by area and by function, and inclusive time of named frames.
// For a bundle, `--bundle <file>` maps each sampled line back to the module esbuild emitted there
// (its `// path` comments), so time in ses, the sandbox runtime, gates and each package shows apart.

import fs from 'node:fs';

/** Areas of the build-side tool, most specific first. */
const TOOL_AREAS = [
  [/\/dist\/src\/analysis\//, 'sandbox-bundle build: analysis (parse + free names)'],
  [/\/dist\/src\/transform\/wrap/, 'sandbox-bundle build: wrap-module'],
  [/\/dist\/src\/transform\//, 'sandbox-bundle build: package graph, generated modules'],
  [/\/dist\/src\/context/, 'sandbox-bundle build: context (resolve/load decisions)'],
  [/\/dist\/plugins\//, 'sandbox-bundle build: bundler adapter'],
  [/\/dist\/src\/policy\//, 'sandbox-bundle build: policy'],
  [/\/dist\/src\//, 'sandbox-bundle build: other'],
  [/node_modules\/meriyah\//, 'meriyah (parse)'],
  [/node_modules\/acorn\//, 'acorn (parse)'],
  [/node_modules\/magic-string\/|node_modules\/@jridgewell\//, 'magic-string + source maps'],
  [/node_modules\/esbuild\//, 'esbuild JS API (IPC with the Go process)'],
  [/node_modules\/rollup\//, 'rollup'],
  [/node_modules\/@rollup\//, 'rollup plugins'],
  [/node_modules\/(ajv|fast-uri|fast-deep-equal)\//, 'ajv (policy schema)'],
];

/** Module start lines of an esbuild bundle: `// <path>` comment lines at column 0. */
function loadBundleMap(file) {
  const starts = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (/^\/\/ (sandbox-bundle:|bench\/|node_modules\/|[\w@.-]+\/)/.test(line)) starts.push([i, line.slice(3)]);
  });
  return (zeroBasedLine) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle preamble)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= zeroBasedLine) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

function bundleArea(modulePath) {
  if (modulePath.includes('node_modules/ses/')) return 'ses (lockdown, compartments)';
  if (modulePath === 'sandbox-bundle:runtime') return 'sandbox runtime (scopes, facades, views)';
  if (modulePath.startsWith('sandbox-bundle:scope')) return 'sandbox generated: scope modules';
  if (modulePath.startsWith('sandbox-bundle:gate')) return 'sandbox generated: gate modules';
  if (modulePath.startsWith('sandbox-bundle:')) return 'sandbox generated: start';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(modulePath);
  if (pkg) return `package code`;
  if (modulePath === '(bundle preamble)') return 'bundle preamble (esbuild helpers)';
  return 'app code';
}

export function summarizeProfile(file, { bundle, top = 25, inclusive = [] } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // timeDeltas[i] is the time before samples[i]: attribute it to that sample's node.
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const moduleAt = bundle ? loadBundleMap(bundle) : undefined;
  const isBundle = (url) => bundle && url.endsWith(bundle.split('/').pop());

  const areaOf = (callFrame) => {
    const { url, functionName } = callFrame;
    if (!url) return functionName.startsWith('(') ? functionName : 'node internals / native';
    if (isBundle(url)) return bundleArea(moduleAt(callFrame.lineNumber));
    return (TOOL_AREAS.find(([re]) => re.test(url)) ?? [null, /^node:|^internal\//.test(url) ? 'node internals' : 'other'])[1];
  };
  const labelOf = (callFrame) => {
    const name = callFrame.functionName || '(anonymous)';
    if (!callFrame.url) return name;
    const where = isBundle(callFrame.url) ? moduleAt(callFrame.lineNumber) : callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    return `${name} ${where}:${callFrame.lineNumber + 1}`;
  };

  const areas = new Map();
  const functions = new Map();
  const packages = new Map();
  for (const [id, t] of self) {
    const { callFrame } = byId.get(id);
    const area = areaOf(callFrame);
    areas.set(area, (areas.get(area) ?? 0) + t);
    const label = labelOf(callFrame);
    functions.set(label, (functions.get(label) ?? 0) + t);
    if (area === 'package code') {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(moduleAt(callFrame.lineNumber))[1];
      packages.set(pkg, (packages.get(pkg) ?? 0) + t);
    }
  }

  // Inclusive time of frames whose label contains each key, counted once per stack.
  const inclusiveTotals = new Map();
  const incl = (id) => (self.get(id) ?? 0) + (byId.get(id).children ?? []).reduce((s, c) => s + incl(c), 0);
  const memo = new Map();
  const inclMemo = (id) => {
    if (!memo.has(id)) memo.set(id, incl(id));
    return memo.get(id);
  };
  const walk = (id, active) => {
    const label = labelOf(byId.get(id).callFrame);
    let now = active;
    for (const key of inclusive) {
      if (label.includes(key) && !active.has(key)) {
        inclusiveTotals.set(key, (inclusiveTotals.get(key) ?? 0) + inclMemo(id));
        now = new Set(now).add(key);
      }
    }
    for (const c of byId.get(id).children ?? []) walk(c, now);
  };
  if (inclusive.length) walk(profile.nodes[0].id, new Set());

  const ms = (us) => `${(us / 1000).toFixed(0)} ms`;
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  const out = [`${file}: ${ms(total)} sampled on the main thread`, '', 'self time by area:'];
  for (const [area, t] of [...areas].sort((a, b) => b[1] - a[1])) out.push(`  ${ms(t).padStart(9)} ${pct(t).padStart(6)}  ${area}`);
  if (packages.size) {
    out.push('', 'package code by package (self time, top 10):');
    for (const [pkg, t] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`  ${ms(t).padStart(9)} ${pct(t).padStart(6)}  ${pkg}`);
  }
  if (inclusive.length) {
    out.push('', 'inclusive time of named frames:');
    for (const key of inclusive) out.push(`  ${ms(inclusiveTotals.get(key) ?? 0).padStart(9)} ${pct(inclusiveTotals.get(key) ?? 0).padStart(6)}  ${key}`);
  }
  out.push('', `top ${top} functions (self time):`);
  for (const [label, t] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${ms(t).padStart(9)} ${pct(t).padStart(6)}  ${label}`);
  return out.join('\n');
}

if (process.argv[1] && process.argv[1].endsWith('summarize-profile.js')) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const file = args.find((a) => a.endsWith('.cpuprofile'));
  console.log(summarizeProfile(file, { bundle: opt('--bundle'), top: Number(opt('--top') ?? 25), inclusive: (opt('--inclusive') ?? '').split(',').filter(Boolean) }));
}
