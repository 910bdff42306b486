// nanoid 5 (ESM-only): ids from a custom alphabet with a deterministic random source, and the default alphabet.
import { customRandom, customAlphabet, urlAlphabet, nanoid } from 'nanoid';

let seed = 42;
const random = (size) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    bytes[i] = (seed >> 16) & 255;
  }
  return bytes;
};
const id = customRandom(urlAlphabet, 12, random);
console.log(id(), id(), customRandom('abc', 8, random)());
console.log(urlAlphabet.length, nanoid().length, customAlphabet('0123456789', 6)().length, /^[A-Za-z0-9_-]{21}$/.test(nanoid()));
