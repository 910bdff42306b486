// Scratch directories for tests: each is removed when the test that made it finishes (made outside a test: when its file or describe block does).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // Not inside a test: vitest refuses onTestFinished there, and afterAll is the right scope.
    afterAll(remove);
  }
  return dir;
}
