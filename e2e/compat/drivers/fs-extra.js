// fs-extra: outputFile, JSON helpers, copy, move, ensureDir, pathExists and remove on a temp directory.
const fse = require('fs-extra');
const path = require('node:path');
const { run, tempDir } = require('../lib/harness.js');

run(async () => {
  const dir = tempDir('fse');
  await fse.outputFile(path.join(dir, 'a/b/c.txt'), 'hello');
  await fse.outputJson(path.join(dir, 'conf/x.json'), { a: 1, list: [1, 2] }, { spaces: 0 });
  console.log(await fse.readFile(path.join(dir, 'a/b/c.txt'), 'utf8'), JSON.stringify(await fse.readJson(path.join(dir, 'conf/x.json'))));
  await fse.copy(path.join(dir, 'a'), path.join(dir, 'copy'));
  await fse.move(path.join(dir, 'copy/b/c.txt'), path.join(dir, 'moved/c.txt'));
  fse.ensureDirSync(path.join(dir, 'empty/dir'));
  console.log(await fse.pathExists(path.join(dir, 'moved/c.txt')), fse.existsSync(path.join(dir, 'copy/b/c.txt')));
  await fse.remove(path.join(dir, 'a'));
  await fse.emptyDir(path.join(dir, 'conf'));
  const list = (d) => fse.readdirSync(d).sort();
  console.log(list(dir).join(','), list(path.join(dir, 'conf')).length, list(path.join(dir, 'empty')).join(','));
  fse.writeJsonSync(path.join(dir, 'sync.json'), { ok: true });
  console.log(JSON.stringify(fse.readJsonSync(path.join(dir, 'sync.json'))));
});
