// One `BENCH {json}` line on stdout for bench/run.js: the mode's figures plus this process's peak RSS.
'use strict';

exports.report = function report(figures) {
  process.stdout.write(`BENCH ${JSON.stringify({ ...figures, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
};
