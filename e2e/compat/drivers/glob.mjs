// glob: patterns, ignore, dot files and the sync/async/stream APIs over a temp directory.
import fs from 'node:fs';
import path from 'node:path';
import { glob, globSync, globStream } from 'glob';
import harness from '../lib/harness.js';

const sorted = (list) => list.map((p) => p.split(path.sep).join('/')).sort().join(' ');
harness.run(async () => {
  const dir = harness.tempDir('glob');
  for (const file of ['a.js', 'b.ts', 'src/c.js', 'src/deep/d.js', 'src/deep/e.md', '.hidden/f.js', 'node_modules/x/g.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file);
  }
  console.log(sorted(await glob('**/*.js', { cwd: dir, ignore: 'node_modules/**' })));
  console.log(sorted(globSync('**/*.{js,md}', { cwd: dir, dot: true, ignore: ['node_modules/**'] })));
  console.log(sorted(await glob('src/*/', { cwd: dir })), sorted(globSync('*.ts', { cwd: dir, absolute: true }).map((p) => path.relative(dir, p))));
  const streamed = [];
  for await (const p of globStream('src/**/*.md', { cwd: dir })) streamed.push(p);
  console.log(sorted(streamed));
});
