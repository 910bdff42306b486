// joi: schema validation with conversion, references, custom messages and errors.
const Joi = require('joi');

const schema = Joi.object({
  username: Joi.string().alphanum().min(3).max(30).required(),
  password: Joi.string().pattern(/^[a-zA-Z0-9]{3,30}$/),
  repeat: Joi.ref('password'),
  birth: Joi.number().integer().min(1900).max(2013),
  email: Joi.string().email({ tlds: { allow: false } }),
}).with('password', 'repeat');
console.log(JSON.stringify(schema.validate({ username: 'abc', birth: '1994', password: 'abc', repeat: 'abc' })));
const { error } = schema.validate({ username: 'a!', birth: 1800 }, { abortEarly: false });
console.log(error.details.map((d) => `${d.path.join('.')}:${d.type}`).join(' '));
console.log(error.message);
console.log(JSON.stringify(Joi.array().items(Joi.number()).unique().validate([1, 2, 2]).error.details[0].type));
