// zod: object schemas, transforms, refinements, discriminated unions and error formatting.
const { z } = require('zod');

const User = z.object({
  name: z.string().min(2),
  age: z.number().int().nonnegative(),
  email: z.string().email(),
  tags: z.array(z.string()).default([]),
});
console.log(JSON.stringify(User.parse({ name: 'Ada', age: 36, email: 'ada@example.com' })));
const result = User.safeParse({ name: 'A', age: -1, email: 'nope' });
console.log(result.success, JSON.stringify(result.error.issues.map((i) => [i.path.join('.'), i.code])));
const Shape = z.discriminatedUnion('kind', [z.object({ kind: z.literal('circle'), r: z.number() }), z.object({ kind: z.literal('square'), s: z.number() })]);
const area = Shape.transform((s) => (s.kind === 'circle' ? Math.round(Math.PI * s.r * s.r) : s.s * s.s));
console.log(area.parse({ kind: 'circle', r: 2 }), area.parse({ kind: 'square', s: 3 }));
const Even = z.number().refine((n) => n % 2 === 0, { message: 'must be even' });
console.log(JSON.stringify(Even.safeParse(3).error.issues[0].message));
