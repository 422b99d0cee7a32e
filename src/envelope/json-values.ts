import { HubProblem, Problems } from '../errors/problem.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;

/** The index of the quote that closes the string opened at `start`, or the end of the text. */
function endOfString(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

/** Whether the container opened at `i` holds anything: its next character other than white space is not its closer. */
function holdsSomething(text: string, i: number): boolean {
  let j = i + 1;
  while (j < text.length && /\s/.test(text[j]!)) j++;
  return j < text.length && text.charCodeAt(j) !== text.charCodeAt(i) + 2;
}

/**
 * Refuses a plaintext that would parse into more than `max` JSON values, before anything parses it.
 * A few kilobytes of compressed `[{},{},…]` decompress into millions of objects, and parsing,
 * walking and validating them would hold the hub's event loop for seconds; the decompressed-size limit
 * alone does not stop that. Outside strings, every element of a container but the first follows a
 * comma, and the first follows its opening bracket, so counting those counts the values below the top.
 * One pass, skipping string contents with indexOf: cheap beside the decryption it follows.
 */
export function checkJsonValues(text: string, max: number): void {
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if ((c === COMMA || ((c === OPEN_BRACE || c === OPEN_BRACKET) && holdsSomething(text, i))) && ++values > max) {
      throw new HubProblem(Problems.tooLarge, `The decrypted message holds more than ${max} JSON values (hub.limits.jsonValues)`);
    }
  }
}
