// Replaces ses's tame-regexp-constructor.js in the ses build we embed (scripts/build.js): keep the engine's RegExp.
//
// ses wraps RegExp in a new constructor and installs it as RegExp.prototype.constructor. In V8 that
// redefinition switches off the RegExp species protector for the whole process, and every `new RegExp`
// made through the wrapper gets a non-initial map; both send all regex work to the generic slow path.
// What the wrapper exists to hide, the legacy statics (RegExp.$1, RegExp.input, RegExp.lastMatch, ...),
// ses's permit pass deletes from the engine's own constructor anyway (permits.js lists each of them as
// `false` under %InitialRegExp%), and the prototype is hardened like every other intrinsic. So the engine's
// constructor serves as both intrinsics; test/runtime/ses-fast-paths.test.ts checks the statics are gone.
import { FERAL_REG_EXP } from './commons.js';

export default function tameRegExpConstructor(regExpTaming = 'safe') {
  if (regExpTaming !== 'unsafe') {
    // As ses does: compile() re-targets a (frozen) regex in place.
    delete FERAL_REG_EXP.prototype.compile;
  }
  return {
    '%InitialRegExp%': FERAL_REG_EXP,
    '%SharedRegExp%': FERAL_REG_EXP,
  };
}
