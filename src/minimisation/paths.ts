// Field patterns such as /persons/*/bsn: a star stands for any array index or property name.
export function parsePattern(pattern: string): string[] {
  return pattern.split('/').slice(1);
}

/** True when the pattern covers the path: it matches the path or one of its ancestors. */
export function patternCovers(pattern: string[], path: string[]): boolean {
  if (pattern.length > path.length) return false;
  return pattern.every((seg, i) => seg === '*' || seg === path[i]);
}

export function patternEquals(pattern: string[], path: string[]): boolean {
  return pattern.length === path.length && patternCovers(pattern, path);
}

export function pointer(path: string[]): string {
  return path.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
