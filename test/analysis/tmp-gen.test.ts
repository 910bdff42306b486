import { it } from 'vitest';
import { generatePolicy } from '/work/main/src/analysis/generate-policy.js';
import { stringifyPolicy } from '/work/main/src/policy/serialize-policy.js';
it('x', async () => {
  const g = await generatePolicy({ entry: '/work/main/test/fixtures/policy-app/index.js' });
  console.log(stringifyPolicy(g.policy));
  for (const p of g.packages.values()) console.log(p.name, JSON.stringify(p.doors), JSON.stringify(p.unresolved));
  console.log(g.warnings, g.importers.get('b'), g.importers.get('a>b'));
});
