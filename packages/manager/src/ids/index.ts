export { newId, isId, ID_LENGTH, type RandomBytes } from './random-id.js';
export { bytesToBigInt, toBase36, parseBase36 } from './base36.js';
