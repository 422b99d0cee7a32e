import { z } from 'zod';
import { MessageType, Purpose } from '../messages/envelope.ts';
import { PartnerId } from '../messages/common.ts';

const FilePath = z.string().min(1);
const IsoInstant = z.iso.datetime({ offset: true });
const DistinguishedName = z.record(z.string().regex(/^[A-Za-z.0-9]+$/), z.string().min(1));

/** How a client certificate is recognised: a pinned SHA-256 fingerprint, or issuer plus subject attributes. */
export const CertificateIdentity = z
  .object({
    fingerprint256: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'a SHA-256 fingerprint as AA:BB:…')
      .optional(),
    issuer: DistinguishedName.optional(),
    subject: DistinguishedName.optional(),
  })
  .strict()
  .refine((c) => c.fingerprint256 !== undefined || (c.issuer !== undefined && c.subject !== undefined), {
    message: 'give fingerprint256, or both issuer and subject',
  });
export type CertificateIdentity = z.infer<typeof CertificateIdentity>;

/**
 * How deliveries are retried and paced. Retries back off exponentially with jitter up to a cap; a
 * delivery still failing after maxAgeHours (or after `attempts`, if set) is dead. The hub's copy of a
 * delivery's ciphertext goes `purgeCiphertextAfterHours` after its recipient received it (acknowledged
 * a pull delivery, or took a push or file delivery); 0 purges it at the next sweep.
 */
const deliveryFields = {
  attempts: z.number().int().min(1).max(100_000),
  backoffSeconds: z.number().positive(),
  maxBackoffSeconds: z.number().positive(),
  maxAgeHours: z.number().positive(),
  pushTimeoutSeconds: z.number().positive(),
  concurrency: z.number().int().min(1).max(64),
  rateLimit: z.object({ max: z.number().int().positive(), perSeconds: z.number().positive() }).strict(),
  purgeCiphertextAfterHours: z.number().nonnegative(),
};
export const DeliverySettings = z
  .object({
    attempts: deliveryFields.attempts.optional(),
    backoffSeconds: deliveryFields.backoffSeconds.default(5),
    maxBackoffSeconds: deliveryFields.maxBackoffSeconds.default(900),
    maxAgeHours: deliveryFields.maxAgeHours.default(48),
    pushTimeoutSeconds: deliveryFields.pushTimeoutSeconds.default(15),
    concurrency: deliveryFields.concurrency.default(4),
    rateLimit: deliveryFields.rateLimit.optional(),
    purgeCiphertextAfterHours: deliveryFields.purgeCiphertextAfterHours.default(168),
  })
  .strict();
/** A partner's own delivery settings: only what it names, without defaults, so that the rest stays the hub's. */
export const DeliveryOverrides = z.object(deliveryFields).partial().strict();
export type DeliverySettings = z.infer<typeof DeliverySettings>;
const DEFAULT_DELIVERY: DeliverySettings = DeliverySettings.parse({});

const SqliteDatabase = z
  .object({
    kind: z.literal('sqlite'),
    path: FilePath,
    /** Runs the database on a thread of its own, so that its commits do not hold the event loop. */
    thread: z.boolean().optional(),
  })
  .strict();
const PostgresDatabase = z
  .object({
    kind: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL'),
    /** Connections this instance keeps open; several instances share the database. */
    poolSize: z.number().int().min(1).max(200).default(10),
  })
  .strict();
export const DatabaseUrl = PostgresDatabase.shape.url;
/** The embedded SQLite file by default (`{ path }` alone means SQLite); PostgreSQL so that several hub instances share one log. */
export const DatabaseSettings = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('kind' in v) ? { kind: 'sqlite', ...v } : v),
  z.discriminatedUnion('kind', [SqliteDatabase, PostgresDatabase]),
);
export type DatabaseSettings = z.infer<typeof DatabaseSettings>;

/** At most `max` requests at once per caller, refilled at `max` per `perSeconds`. */
export const RateLimit = z.object({ max: z.number().int().positive(), perSeconds: z.number().positive() }).strict();
export type RateLimit = z.infer<typeof RateLimit>;

/**
 * Per endpoint class: submit (POST /v1/messages), read (the other /v1 endpoints), admin, privacy. A
 * caller may burst up to `max`, then gets `max` per `perSeconds`.
 */
const DEFAULT_RATE_LIMITS = { submit: { max: 3000, perSeconds: 60 }, read: { max: 12000, perSeconds: 60 }, admin: { max: 600, perSeconds: 60 }, privacy: { max: 600, perSeconds: 60 } };
export const RateLimits = z
  .object({
    submit: RateLimit.default(DEFAULT_RATE_LIMITS.submit),
    read: RateLimit.default(DEFAULT_RATE_LIMITS.read),
    admin: RateLimit.default(DEFAULT_RATE_LIMITS.admin),
    privacy: RateLimit.default(DEFAULT_RATE_LIMITS.privacy),
  })
  .strict();
export type RateLimits = z.infer<typeof RateLimits>;
/** A partner's or operator's own limits: only the classes it names replace the hub's. */
const RateLimitOverrides = z.object({ submit: RateLimit.optional(), read: RateLimit.optional(), admin: RateLimit.optional(), privacy: RateLimit.optional() }).strict();

export const HubSettings = z
  .object({
    listen: z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(8443) }).strict(),
    tls: z
      .object({
        ca: FilePath,
        cert: FilePath,
        key: FilePath,
        clientCert: FilePath,
        clientKey: FilePath,
        /** PEM CRLs (a file may hold several), one for every CA level; reloaded on SIGHUP or POST /admin/v1/tls/reload. */
        crl: z.array(FilePath).default([]),
      })
      .strict(),
    pgp: z
      .object({
        publicKey: FilePath,
        privateKey: FilePath,
        passphraseEnv: z.string().optional(),
        /** Keys replaced by privateKey: they still decrypt messages encrypted to them until decryptUntil, and sign nothing. */
        previousKeys: z
          .array(z.object({ privateKey: FilePath, decryptUntil: IsoInstant, passphraseEnv: z.string().optional() }).strict())
          .default([]),
      })
      .strict(),
    pseudonymKey: FilePath,
    database: DatabaseSettings,
    redis: z.object({ url: z.string().regex(/^rediss?:\/\//), prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('aoh') }).strict(),
    limits: z
      .object({
        requestBytes: z.number().int().positive().default(5 * 1024 * 1024),
        decompressedBytes: z.number().int().positive().default(20 * 1024 * 1024),
        jsonValues: z.number().int().positive().default(100_000),
      })
      .strict()
      .default({ requestBytes: 5 * 1024 * 1024, decompressedBytes: 20 * 1024 * 1024, jsonValues: 100_000 }),
    acceptWindow: z
      .object({ maxAgeSeconds: z.number().int().positive().default(86400), maxSkewSeconds: z.number().int().nonnegative().default(300) })
      .strict()
      .default({ maxAgeSeconds: 86400, maxSkewSeconds: 300 }),
    delivery: DeliverySettings.default(DEFAULT_DELIVERY),
    /** Requests per caller and endpoint class; a partner or operator may override any class under its own `rateLimits:`. */
    rateLimits: RateLimits.default(DEFAULT_RATE_LIMITS),
    /** The disclosure log: how long entries are kept, how often the tree is signed. */
    log: z
      .object({
        /** The retention of a policy (processing activity) that states none of its own. */
        retentionDays: z.number().int().positive().default(1825),
        checkpointSeconds: z.number().positive().default(300),
        /** A person's informing status still undecided after this many days is overdue. */
        informingDecisionDays: z.number().int().positive().default(14),
      })
      .strict()
      .default({ retentionDays: 1825, checkpointSeconds: 300, informingDecisionDays: 14 }),
    /** How the hub finds work that Redis lost or a crashed hub left half done. */
    recovery: z
      .object({
        /** How often stored deliveries without a job are queued again. */
        reconcileSeconds: z.number().positive().default(30),
        /** How long a job being worked on stays claimed without a heartbeat; after a crash it is retried after about this long. */
        lockSeconds: z.number().positive().default(30),
      })
      .strict()
      .default({ reconcileSeconds: 30, lockSeconds: 30 }),
    /** Plain HTTP on loopback for /metrics, /healthz and /readyz (API.md allows a separate port). */
    ops: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
    /** OpenPGP work on worker threads: `workers` threads (default: one per core); 0 runs it on the main thread. */
    crypto: z.object({ workers: z.number().int().min(0).max(64).optional() }).strict().default({}),
  })
  .strict();
export type HubSettings = z.infer<typeof HubSettings>;

export const Operator = z
  .object({
    id: z.string().min(1),
    role: z.enum(['administrator', 'privacy-officer']),
    certificate: CertificateIdentity,
    rateLimits: RateLimitOverrides.optional(),
  })
  .strict();
export type Operator = z.infer<typeof Operator>;

/** Who receives a message when the sender names no recipients: a list, or every participant but the sender. */
export const Route = z
  .object({
    type: MessageType,
    purpose: Purpose,
    recipients: z.union([z.literal('participants'), z.array(PartnerId).min(1)]),
  })
  .strict();
export type Route = z.infer<typeof Route>;

const LocalTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time as HH:MM');
const LocalDate = z.iso.date();

/** When the Actieoverleg meets, and until when a submission is for the next meeting (DOMAIN.md). */
export const MeetingSchedule = z
  .object({
    timeZone: z.string().refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', 'an IANA time zone such as Europe/Amsterdam').default('Europe/Amsterdam'),
    weekdays: z.array(z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])).min(1).default(['tuesday']),
    /** Explicit meeting dates, for regions that meet every other week or monthly; replaces weekdays. */
    dates: z.array(LocalDate).min(1).optional(),
    /** Dates on which there is no meeting (holidays). */
    skip: z.array(LocalDate).default([]),
    time: LocalTime.default('10:00'),
    cutOff: z
      .object({ daysBefore: z.number().int().min(0).max(14).default(1), time: LocalTime.default('12:00') })
      .strict()
      .default({ daysBefore: 1, time: '12:00' }),
  })
  .strict();
export type MeetingSchedule = z.infer<typeof MeetingSchedule>;

const DEFAULT_MEETINGS: MeetingSchedule = { timeZone: 'Europe/Amsterdam', weekdays: ['tuesday'], skip: [], time: '10:00', cutOff: { daysBefore: 1, time: '12:00' } };

export const HubFile = z
  .object({
    hub: HubSettings,
    /** The partner that chairs the Actieoverleg (Veilig Thuis); other submitters need a report reference there. */
    chair: PartnerId.default('vt'),
    operators: z.array(Operator).default([]),
    meetings: MeetingSchedule.default(DEFAULT_MEETINGS),
    routes: z.array(Route).min(1),
  })
  .strict();

export const Transport = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pull') }).strict(),
  z
    .object({
      kind: z.literal('push'),
      url: z.url({ protocol: /^https$/ }),
      /** PEM file of the CA that issued the partner's server certificate; the hub's CA by default. */
      ca: FilePath.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('file'),
      /** Deliveries are written here atomically (temporary file, fsync, rename) as <deliveryId>.asc. */
      directory: FilePath,
    })
    .strict(),
]);
export type Transport = z.infer<typeof Transport>;

/** A partner key with the period in which the hub accepts its signatures and encrypts to it. */
export const RegisteredKeyFile = z.object({ file: FilePath, validFrom: IsoInstant.optional(), validUntil: IsoInstant.optional() }).strict();

export const PartnerFile = z
  .object({
    id: PartnerId,
    name: z.string().min(1),
    certificate: CertificateIdentity,
    /** Armoured key files; during a rotation with validFrom/validUntil, so that old and new overlap. */
    pgpPublicKeys: z.array(z.union([FilePath, RegisteredKeyFile])).min(1),
    transport: Transport.default({ kind: 'pull' }),
    /** Overrides of hub.delivery for this partner: its retries, pace and concurrency. */
    delivery: DeliveryOverrides.optional(),
    /** Overrides of hub.rateLimits for this partner. */
    rateLimits: RateLimitOverrides.optional(),
    participant: z.boolean().default(true),
    adapter: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
    sends: z.array(z.object({ type: MessageType, purposes: z.array(Purpose).min(1) }).strict()).default([]),
  })
  .strict();
export type PartnerFile = z.infer<typeof PartnerFile>;

export const Transform = z.enum(['keep', 'drop', 'redact', 'generalise', 'pseudonymise']);
export type Transform = z.infer<typeof Transform>;

const FieldPattern = z.string().regex(/^(\/([A-Za-z0-9_-]+|\*))+$/, 'a field path such as /persons/*/bsn');

export const PolicyRule = z.union([
  z.object({ category: z.string().min(1), action: Transform }).strict(),
  z.object({ path: FieldPattern, action: Transform }).strict(),
  z
    .object({
      path: FieldPattern,
      where: z.object({ field: z.string().regex(/^[A-Za-z0-9_-]+$/), in: z.array(z.string()).min(1) }).strict(),
    })
    .strict(),
]);
export type PolicyRule = z.infer<typeof PolicyRule>;

export const Policy = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.number().int().positive(),
    recipient: PartnerId,
    purpose: Purpose,
    messageTypes: z.array(MessageType).min(1),
    legalBasis: z.string().min(1),
    /** How long the disclosure log keeps the entries of this processing activity; hub.log.retentionDays when absent. */
    retentionDays: z.number().int().positive().optional(),
    rules: z.array(PolicyRule),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

export const PolicyFile = z.object({ policies: z.array(Policy).min(1) }).strict();
