/** The canonical JSON of a part already rendered (by `canonicalJson` itself), or undefined to render it. */
export type Rendered = (value: object) => string | undefined;

/** Text shorter than this is gathered with its neighbours before it is written. */
const GATHER_CHARS = 512;
/** Gathered text is written once it is this long. */
const PIECE_CHARS = 8192;

/**
 * Gathers short texts into pieces of some kilobytes and passes long ones on as they are. Built by `+=`,
 * which V8 keeps as a rope: nested `join`s copied a 1 MB payload once per level (15 ms against 1 ms).
 * Reading a whole 1 MB rope back is slow too: rendering and hashing the bench's 1 MB envelope took 5.6–6.3
 * ms as one rope, 1.7 ms fed to the hash in these pieces.
 */
class Pieces {
  private gathered = '';
  private readonly write: (piece: string) => void;

  constructor(write: (piece: string) => void) {
    this.write = write;
  }

  add(text: string): void {
    if (text.length < GATHER_CHARS) {
      this.gathered += text;
      if (this.gathered.length >= PIECE_CHARS) this.flush();
      return;
    }
    this.flush();
    this.write(text);
  }

  flush(): void {
    if (this.gathered.length > 0) this.write(this.gathered);
    this.gathered = '';
  }
}

function render(value: unknown, out: Pieces, rendered: Rendered | undefined): void {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`canonical JSON has no text for a ${typeof value}`);
    return out.add(text);
  }
  const known = rendered?.(value);
  if (known !== undefined) return out.add(known);
  if (Array.isArray(value)) {
    out.add('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.add(',');
      render(value[i], out, rendered);
    }
    return out.add(']');
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out.add('{');
  for (let i = 0; i < keys.length; i++) {
    out.add((i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':');
    render(record[keys[i]!], out, rendered);
  }
  out.add('}');
}

/**
 * JSON with object keys in sorted order, so that equal content gives equal bytes, handed to `write` in
 * pieces whose concatenation is `canonicalJson(value)`: what a hash of it should be fed.
 */
export function writeCanonicalJson(value: unknown, write: (piece: string) => void, rendered?: Rendered): void {
  const out = new Pieces(write);
  render(value, out, rendered);
  out.flush();
}

/** JSON with object keys in sorted order, so that equal content gives equal bytes. */
export function canonicalJson(value: unknown, rendered?: Rendered): string {
  let text = '';
  writeCanonicalJson(value, (piece) => (text += piece), rendered);
  return text;
}
