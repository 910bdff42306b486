// A content-addressed disk cache of module facts, so a rebuild skips the parse (most of a build's own cost).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FreeName, ModuleFacts } from './inspect-module.js';

/** Bump when ModuleFacts or the analysis behind it changes: old entries are then never read. */
const FACTS_FORMAT = 4;

export interface FactsCache {
  /**
   * The facts stored for this exact source text, else `compute()`'s, stored for the next build.
   * `key` is the text's sourceHash, when the caller has it already.
   */
  factsOf(source: string, compute: () => ModuleFacts, key?: string): ModuleFacts;
  /** Writes the entries this build used (and only those) when anything changed. Never throws. */
  save(): void;
}

type StoredFacts = Omit<ModuleFacts, 'freeNames'> & { freeNames: FreeName[] };

interface CacheFile {
  version: string;
  entries: Record<string, StoredFacts>;
}

/** The SHA-256 of a module's text: the facts cache's key, and what esbuild's wrapped tree checks a module by. */
export const sourceHash = (source: string) => crypto.createHash('sha256').update(source).digest('base64url');

/** A cache that keeps nothing: the `cache: false` option. */
export const NO_FACTS_CACHE: FactsCache = { factsOf: (_source, compute) => compute(), save: () => {} };

/**
 * Opens the cache in `dir` (created on save). `toolVersion` keys the file: facts written by another
 * version of sandbox-bundle are ignored. Entries are keyed by a SHA-256 of the module's source, so
 * an edited or reinstalled file is parsed again whatever its path or timestamp. The directory sits
 * inside the app's node_modules by default: whoever can write there can change the packages too,
 * so the cache adds no one to the trusted set.
 */
export function openFactsCache(dir: string, toolVersion: string): FactsCache {
  const version = `${FACTS_FORMAT}:${toolVersion}`;
  const file = path.join(dir, 'module-facts.json');
  let loaded: Record<string, StoredFacts> | undefined;
  // Read on first use: a build that wraps nothing (esbuild reusing its wrapped tree) skips the file.
  const stored = (): Record<string, StoredFacts> => {
    if (loaded) return loaded;
    loaded = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
      if (parsed?.version === version && parsed.entries && typeof parsed.entries === 'object') loaded = parsed.entries;
    } catch {
      // missing or unreadable: start empty (a corrupt file is simply rewritten)
    }
    return loaded;
  };
  const used = new Map<string, StoredFacts>();
  let changed = false;

  return {
    factsOf(source, compute, key = sourceHash(source)) {
      const entries = stored();
      const entry = Object.hasOwn(entries, key) ? entries[key] : undefined;
      if (entry && Array.isArray(entry.freeNames)) {
        used.set(key, entry);
        return { ...entry, freeNames: new Map(entry.freeNames.map((free) => [free.name, free])) };
      }
      const facts = compute();
      used.set(key, { ...facts, freeNames: [...facts.freeNames.values()] });
      changed = true;
      return facts;
    },
    save() {
      if (!changed) return;
      // Entries this build did not use are kept (another entry point of the same app may need them)
      // until they outnumber this build's own twice over: then they are stale versions, dropped.
      const old = Object.entries(stored()).filter(([key]) => !used.has(key));
      const entries = Object.fromEntries([...(old.length <= used.size * 2 ? old : []), ...used]);
      const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(temp, JSON.stringify({ version, entries } satisfies CacheFile));
        fs.renameSync(temp, file);
        loaded = entries;
        changed = false;
      } catch {
        // The cache only saves time: a read-only or full disk must not fail the build.
        try {
          fs.rmSync(temp, { force: true });
        } catch {
          // nothing was written
        }
      }
    },
  };
}
