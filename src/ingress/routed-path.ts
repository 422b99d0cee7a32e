/**
 * A request path as Express routes it: letter case ignored and a trailing slash optional. Anything that
 * classifies requests by path (rate limits, query schemas) must compare this form, or `POST /V1/Messages/`
 * would reach the submit route while being counted as something else.
 */
export function routedPath(path: string): string {
  return path.toLowerCase().replace(/(.)\/+$/, '$1');
}
