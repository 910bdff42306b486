// semver: parsing, comparison, ranges, coercion and increments.
const semver = require('semver');

console.log(semver.valid('1.2.3'), semver.valid('a.b.c'), semver.clean('  =v1.2.3  '));
console.log(semver.satisfies('1.4.2', '^1.2.0'), semver.satisfies('2.0.0', '^1.2.0'), semver.gt('1.10.0', '1.9.9'));
console.log(semver.maxSatisfying(['1.2.3', '1.4.0', '2.0.0'], '~1.4 || <1.3'), semver.minVersion('>=1.2.x').version);
console.log(semver.inc('1.2.3', 'prerelease', 'beta'), semver.coerce('v3.2 is out').version, semver.sort(['1.10.0', '1.2.0', '1.9.0-rc.1']).join(' '));
console.log(new semver.Range('>=1.2.7 <1.3.0 || 2.x').toString(), semver.diff('1.2.3', '1.3.0'));
