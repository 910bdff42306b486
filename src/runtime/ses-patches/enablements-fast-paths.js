// Appended to ses's enablements.js in the ses build we embed (scripts/build.js): a 'moderate' that keeps V8's fast paths.
//
// An enablement turns a data property of an intrinsic into an accessor (so that assigning an inherited
// name still works after freezing). For three properties V8 watches, that redefinition switches off a
// process-wide protector and with it a fast path for every package (measured on Node 20):
//   Array.prototype[Symbol.iterator]    -> array iteration protector (for-of, spread, destructuring)
//   %IteratorPrototype%[Symbol.iterator] -> Map and Set iteration protectors
//   Promise.prototype.constructor       -> Promise species protector (every then/await)
// 'moderate' here is ses's moderate without those three; 'min' never had them; 'severe' stays ses's
// own (code that assigns these names on an inheriting object can still choose it).
// Replacing entries (rather than deleting inside them) leaves severeEnablements, which shares the
// nested records with moderateEnablements, untouched.
{
  const { [iteratorSymbol]: _arrayIterator, ...arrayPrototype } = moderateEnablements['%ArrayPrototype%'];
  const { [iteratorSymbol]: _iteratorIterator, ...iteratorPrototype } = moderateEnablements['%IteratorPrototype%'];
  moderateEnablements['%ArrayPrototype%'] = arrayPrototype;
  moderateEnablements['%IteratorPrototype%'] = iteratorPrototype;
  delete moderateEnablements['%PromisePrototype%'];
}
