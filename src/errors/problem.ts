/**
 * Typed errors that carry their HTTP status and RFC 9457 problem type, so that every module can
 * refuse input precisely and the ingress can answer without guessing.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemKind {
  status: number;
  slug: string;
  title: string;
}

export const PROBLEM_TYPE_BASE = 'urn:actieoverleg-hub:problem:';

export const Problems = {
  malformedRequest: { status: 400, slug: 'malformed-request', title: 'Malformed request' },
  malformedOpenPgp: { status: 400, slug: 'malformed-openpgp', title: 'Malformed OpenPGP message' },
  notEncryptedToHub: { status: 400, slug: 'not-encrypted-to-hub', title: 'Message is not encrypted to the hub key' },
  malformedJson: { status: 400, slug: 'malformed-json', title: 'Plaintext is not valid UTF-8 JSON' },
  unknownCertificate: { status: 403, slug: 'unknown-certificate', title: 'Client certificate is not registered' },
  wrongRole: { status: 403, slug: 'wrong-role', title: 'This certificate may not use this endpoint' },
  unsigned: { status: 403, slug: 'unsigned-message', title: 'Message is not signed' },
  badSignature: { status: 403, slug: 'bad-signature', title: 'Signature does not verify against the sender’s registered key' },
  keyExpired: { status: 403, slug: 'key-expired', title: 'The signing key has expired or its registration has ended' },
  keyRevoked: { status: 403, slug: 'key-revoked', title: 'The signing key has been revoked' },
  notAllowedToSend: { status: 403, slug: 'type-or-purpose-not-allowed', title: 'Sender may not send this type or purpose' },
  notFound: { status: 404, slug: 'not-found', title: 'Not found' },
  messageIdConflict: { status: 409, slug: 'message-id-conflict', title: 'messageId was used before with other content' },
  deliveryNotDead: { status: 409, slug: 'delivery-not-dead', title: 'Only a dead delivery can be retried' },
  deliveryPurged: { status: 410, slug: 'delivery-purged', title: 'The hub no longer holds this delivery’s ciphertext' },
  policyVersionConflict: { status: 409, slug: 'policy-version-conflict', title: 'Another version of this policy was published first' },
  preconditionFailed: { status: 412, slug: 'precondition-failed', title: 'The policy changed since the version named in If-Match' },
  requestTimeout: { status: 408, slug: 'request-timeout', title: 'The request was not received in time' },
  tooLarge: { status: 413, slug: 'too-large', title: 'Request or decompressed message too large' },
  unsupportedMediaType: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  headersTooLarge: { status: 431, slug: 'headers-too-large', title: 'Request header fields too large' },
  schemaViolation: { status: 422, slug: 'schema-violation', title: 'Message does not match its schema' },
  invalidPolicy: { status: 422, slug: 'invalid-policy', title: 'Policy is not valid' },
  outsideWindow: { status: 422, slug: 'outside-accepted-window', title: 'createdAt is outside the accepted window' },
  noPermittedRecipient: { status: 422, slug: 'no-permitted-recipient', title: 'No recipient may receive this message' },
  tlsReloadFailed: { status: 422, slug: 'tls-reload-failed', title: 'The TLS files could not be loaded; the previous ones stay in force' },
  keysReloadFailed: { status: 422, slug: 'keys-reload-failed', title: 'The partners’ OpenPGP keys could not be loaded; the previous ones stay in force' },
  rateLimited: { status: 429, slug: 'rate-limited', title: 'Too many requests' },
  unavailable: { status: 503, slug: 'unavailable', title: 'Service unavailable' },
  internal: { status: 500, slug: 'internal', title: 'Internal error' },
} as const satisfies Record<string, ProblemKind>;

export class HubProblem extends Error {
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;

  constructor(kind: ProblemKind, detail: string, errors?: FieldError[]) {
    super(`${kind.title}: ${detail}`);
    this.name = 'HubProblem';
    this.kind = kind;
    this.detail = detail;
    this.errors = errors;
  }

  get status(): number {
    return this.kind.status;
  }

  toJSON(): Record<string, unknown> {
    return problemBody(this.kind, this.detail, this.errors);
  }
}

export function problemBody(kind: ProblemKind, detail: string, errors?: FieldError[]): Record<string, unknown> {
  return {
    type: PROBLEM_TYPE_BASE + kind.slug,
    title: kind.title,
    status: kind.status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Raised at start-up only: a configuration file that cannot be used, naming the file and field. */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: FieldError[];

  constructor(file: string, issues: FieldError[]) {
    super(`Invalid configuration in ${file}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}
