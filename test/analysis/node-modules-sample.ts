// A deterministic sample of real JavaScript files from the project's node_modules, for the differential tests.

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: sampled paths are relative to it. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function* filesMatching(directory: string, name: RegExp): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* filesMatching(path, name);
    else if (entry.isFile() && name.test(entry.name)) yield path;
  }
}

/** Every k-th file of the sorted list (so the sample spans all installed packages), at most `size`, paths relative to ROOT. */
export function sampleNodeModulesFiles({ size, maxBytes, name }: { size: number; maxBytes: number; name: RegExp }): string[] {
  const all = [...filesMatching(join(ROOT, 'node_modules'), name)]
    .map((path) => relative(ROOT, path))
    .sort()
    .filter((path) => statSync(join(ROOT, path)).size <= maxBytes);
  const step = Math.max(1, Math.floor(all.length / size));
  return all.filter((_, index) => index % step === 0).slice(0, size);
}
