// p-limit (ESM-only): a concurrency limit of 2 over async tasks released in a fixed order, with counts.
import pLimit from 'p-limit';
import harness from '../lib/harness.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));
harness.run(async () => {
  const limit = pLimit(2);
  const gates = new Map();
  const log = [];
  let active = 0;
  let maxActive = 0;
  const task = (n) =>
    limit(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${n}`);
      await new Promise((resolve) => gates.set(n, resolve));
      log.push(`end ${n}`);
      active--;
      return n * n;
    });
  const pending = [1, 2, 3, 4].map(task);
  await tick();
  console.log('queued', limit.activeCount, limit.pendingCount);
  for (const n of [2, 1, 3, 4]) {
    while (!gates.has(n)) await tick();
    gates.get(n)();
    await tick();
  }
  console.log(JSON.stringify(await Promise.all(pending)), 'max active', maxActive);
  console.log(log.join(', '));
  const mapped = await limit.map([1, 2, 3], async (x) => x + 1);
  console.log(JSON.stringify(mapped), limit.concurrency);
});
