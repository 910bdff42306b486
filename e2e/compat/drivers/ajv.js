// ajv: compiled JSON Schema validators (generated code), formats-free keywords, error reporting.
const Ajv = require('ajv');

const ajv = new Ajv({ allErrors: true, useDefaults: true });
const validate = ajv.compile({
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', pattern: '^[a-z]+$' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    role: { enum: ['admin', 'user'], default: 'user' },
  },
  required: ['id', 'name'],
  additionalProperties: false,
});
const good = { id: 3, name: 'ada', tags: ['a', 'b'] };
console.log(validate(good), JSON.stringify(good));
const bad = { id: 0, name: 'Ada!', tags: ['a', 'a'], extra: 1 };
console.log(validate(bad), ajv.errorsText(validate.errors));
console.log(ajv.validate({ $ref: '#/definitions/n', definitions: { n: { type: 'number', multipleOf: 5 } } }, 15));
