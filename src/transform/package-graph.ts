// Package identity: which package owns a file, decided from real paths at build time (DESIGN section 1).

import fs from 'node:fs';
import path from 'node:path';
import { ROOT_PACKAGE } from '../names.js';

export interface PackageIdentity {
  /** Canonical name: the shortest dependency path from the app, joined by `>` (`a>b`); `$root$` for the app. */
  readonly name: string;
  /** Real path of the package directory. */
  readonly dir: string;
}

export interface PackageGraph {
  readonly root: PackageIdentity;
  /** Every package reachable through package.json dependencies, by canonical name. */
  readonly packages: ReadonlyMap<string, PackageIdentity>;
  /** The package that owns `file`, or undefined for a file outside the app and every package. */
  identify(file: string): PackageIdentity | undefined;
}

/** The parsed package.json in `dir`, or undefined when there is none (or it is not JSON). */
export function readManifest(dir: string): Record<string, any> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function realDir(dir: string): string {
  try {
    return fs.realpathSync.native(dir);
  } catch {
    return dir;
  }
}

/** Node's lookup: `node_modules/<name>` in `fromDir` and each parent. */
function findDependencyDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return realDir(candidate);
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function dependencyNames(manifest: Record<string, any>, isRoot: boolean): string[] {
  const fields = ['dependencies', 'optionalDependencies', 'peerDependencies', ...(isRoot ? ['devDependencies'] : [])];
  const names = new Set<string>();
  for (const field of fields) for (const name of Object.keys(manifest[field] ?? {})) names.add(name);
  return [...names].sort();
}

/**
 * Walks the dependency graph breadth-first from the app, so each real package directory gets
 * its shortest name path (ties: the lexicographically smaller). `file:` and workspace packages
 * resolve to real paths outside node_modules and are found the same way (DESIGN section 5).
 */
export function createPackageGraph(rootDir: string): PackageGraph {
  const rootReal = realDir(rootDir);
  const root: PackageIdentity = { name: ROOT_PACKAGE, dir: rootReal };
  const byDir = new Map<string, PackageIdentity>([[rootReal, root]]);
  let level: PackageIdentity[] = [root];
  while (level.length > 0) {
    const next = new Map<string, PackageIdentity>();
    for (const parent of level) {
      const manifest = readManifest(parent.dir);
      if (!manifest) continue;
      for (const depName of dependencyNames(manifest, parent === root)) {
        const dir = findDependencyDir(parent.dir, depName);
        if (!dir || byDir.has(dir)) continue;
        const name = parent === root ? depName : `${parent.name}>${depName}`;
        const known = next.get(dir);
        if (!known || name < known.name) next.set(dir, { name, dir });
      }
    }
    for (const identity of next.values()) byDir.set(identity.dir, identity);
    level = [...next.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  const packages = new Map([...byDir.values()].map((p) => [p.name, p]));
  const cache = new Map<string, PackageIdentity | undefined>();

  function identifyDir(dir: string): PackageIdentity | undefined {
    if (cache.has(dir)) return cache.get(dir);
    let result = byDir.get(dir);
    if (!result) {
      const parent = path.dirname(dir);
      const parentName = path.basename(parent);
      // A package directory nobody declared (a phantom dependency): it is still a package of
      // its own, never part of whatever contains it, least of all the unrestricted app.
      const isPackageDir = (parentName === 'node_modules' || (parentName.startsWith('@') && path.basename(path.dirname(parent)) === 'node_modules')) && fs.existsSync(path.join(dir, 'package.json'));
      if (isPackageDir) {
        const owner = identifyDir(parentName === 'node_modules' ? path.dirname(parent) : path.dirname(path.dirname(parent)));
        const ownName = parentName === 'node_modules' ? path.basename(dir) : `${parentName}/${path.basename(dir)}`;
        result = { name: !owner || owner === root ? ownName : `${owner.name}>${ownName}`, dir };
      } else if (parent !== dir) {
        result = identifyDir(parent);
      }
    }
    cache.set(dir, result);
    return result;
  }

  // Real paths by directory: one realpath per directory, not per file (lstat dominated large builds).
  const realDirs = new Map<string, string>();
  const realDirOf = (dir: string) => {
    let real = realDirs.get(dir);
    if (real === undefined) realDirs.set(dir, (real = realDir(dir)));
    return real;
  };

  return {
    root,
    packages,
    // A file symlinked on its own (rare) is owned where its directory is.
    identify: (file) => identifyDir(realDirOf(path.dirname(file))),
  };
}
