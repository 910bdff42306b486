// Startup mode: require every package of the app, touch each, exit. Measures loading a large tree.
'use strict';

const { report } = require('./report.js');

// Every name the app depends on (package.json), plus the subpaths an app typically loads.
const loaded = {
  s3: require('@aws-sdk/client-s3'),
  ajv: require('ajv'),
  ajvFormats: require('ajv-formats'),
  commander: require('commander'),
  csvParse: require('csv-parse/sync'),
  dateFns: require('date-fns'),
  dateFnsLocales: require('date-fns/locale'),
  dayjs: require('dayjs'),
  express: require('express'),
  fastify: require('fastify'),
  graphql: require('graphql'),
  handlebars: require('handlebars'),
  ioredis: require('ioredis'),
  joi: require('joi'),
  jsonwebtoken: require('jsonwebtoken'),
  lodash: require('lodash'),
  luxon: require('luxon'),
  marked: require('marked'),
  moment: require('moment'),
  mongoose: require('mongoose'),
  openai: require('openai'),
  pg: require('pg'),
  pino: require('pino'),
  rxjs: require('rxjs'),
  rxjsOperators: require('rxjs/operators'),
  semver: require('semver'),
  uuid: require('uuid'),
  validator: require('validator'),
  yaml: require('yaml'),
  yargs: require('yargs'),
  zod: require('zod'),
};

exports.run = async function run() {
  let members = 0;
  for (const value of Object.values(loaded)) members += Object.keys(value).length + 1;
  report({ mode: 'startup', packages: Object.keys(loaded).length, members });
  // Some packages keep handles open (timers, agents); the measurement is load-then-exit.
  process.exit(0);
};
