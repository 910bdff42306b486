// A Node app built with Vite's SSR build: legit work through two packages, and a report of what the attacker got.
// The secret's path comes from argv: the bundle runs from another directory than this source.
import slug from 'slugger';
import { joinAll } from 'path-joiner';
import steal from 'secret-stealer';

const legit = { slug: slug('Hello Vite World'), joined: joinAll('a', 'b', 'c') };
// No top-level await: the bundle may be CommonJS.
steal(process.argv[2]).then((attacks) => console.log(JSON.stringify({ legit, attacks })));
