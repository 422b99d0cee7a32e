import { z } from 'zod';
import { Policy } from '../config/schema.ts';
import { HubProblem, Problems, type FieldError } from '../errors/problem.ts';
import { policyPlacementProblems, policyProblems } from '../minimisation/validate.ts';
import type { Logger } from '../observability/logger.ts';
import { PolicyVersionExistsError, type HubStore, type PolicyVersion } from '../store/types.ts';

/** What an administrator sends: a policy document; the hub numbers the version. */
const PolicyProposal = Policy.extend({ version: Policy.shape.version.optional(), comment: z.string().max(2000).optional() }).strict();

/** Dotted zod and validator paths as JSON Pointers into the document the administrator sent. */
function pointerErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ path: e.path === '' ? '' : '/' + e.path.split('.').join('/'), message: e.message }));
}

export interface PublishRequest {
  id: string;
  document: unknown;
  author: string;
  /** The version the administrator edited (If-Match): publishing fails if another came since. */
  basedOn?: number | undefined;
  now?: Date;
}

/**
 * The policies in force and every earlier version. The database holds the versions; this keeps the
 * latest of each in memory, so a submission never waits for it, and a publication takes effect for
 * the next submission without a restart. Deliveries already planned keep the version they were
 * minimised with: the disclosure record names it.
 */
export class PolicyRegistry {
  private readonly store: HubStore;
  private readonly partnerIds: ReadonlySet<string>;
  private versions = new Map<string, PolicyVersion[]>();

  private constructor(store: HubStore, partnerIds: ReadonlySet<string>) {
    this.store = store;
    this.partnerIds = partnerIds;
  }

  /**
   * Loads the published versions and adds each shipped policy whose version is newer than the
   * database's, so that deployers can still change policies by editing config/ and raising the version.
   */
  static async open(store: HubStore, shipped: readonly Policy[], partnerIds: ReadonlySet<string>, log: Logger): Promise<PolicyRegistry> {
    const registry = new PolicyRegistry(store, partnerIds);
    await registry.refresh();
    for (const policy of shipped) {
      const latest = registry.latest(policy.id);
      if (latest && latest.policy.version >= policy.version) {
        if (latest.policy.version === policy.version && JSON.stringify(latest.policy) !== JSON.stringify(policy)) {
          log.warn({ policy: policy.id, version: policy.version }, 'config/ holds a different policy under a version already published; the published one stays in force (raise the version to publish the file)');
        }
        continue;
      }
      try {
        await store.addPolicyVersion({ policy, author: 'config', publishedAt: new Date().toISOString(), comment: 'shipped configuration' });
        log.info({ policy: policy.id, version: policy.version }, 'published policy from config/');
      } catch (err) {
        // Another instance sharing the database, starting at the same time, published it first.
        if (!(err instanceof PolicyVersionExistsError)) throw err;
      }
    }
    await registry.refresh();
    return registry;
  }

  /** Reads the versions again, for hubs that share one database. */
  async refresh(): Promise<void> {
    const byId = new Map<string, PolicyVersion[]>();
    for (const v of await this.store.policyVersions()) byId.set(v.policy.id, [...(byId.get(v.policy.id) ?? []), v]);
    this.versions = byId;
  }

  /** The latest version of every policy: what minimisation applies now. */
  current(): Policy[] {
    return [...this.versions.values()].map((vs) => vs.at(-1)!.policy);
  }

  latest(id: string): PolicyVersion | undefined {
    return this.versions.get(id)?.at(-1);
  }

  history(id: string): PolicyVersion[] {
    return this.versions.get(id) ?? [];
  }

  /** Validates a proposed policy against the schemas and the other policies in force, then publishes it as the next version. */
  async publish(request: PublishRequest): Promise<PolicyVersion> {
    const parsed = PolicyProposal.safeParse(request.document);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      throw new HubProblem(Problems.invalidPolicy, `Policy ${request.id} does not match the policy schema`, pointerErrors(errors));
    }
    const { comment, version: proposedVersion, ...document } = parsed.data;
    if (document.id !== request.id) {
      throw new HubProblem(Problems.invalidPolicy, `The document's id ${document.id} differs from ${request.id} in the path`, [{ path: '/id', message: `must be ${request.id}` }]);
    }
    const latest = this.latest(request.id)?.policy.version ?? 0;
    if (request.basedOn !== undefined && request.basedOn !== latest) {
      throw new HubProblem(Problems.preconditionFailed, `Policy ${request.id} is at version ${latest}, not ${request.basedOn}; read it again and reapply your change`);
    }
    if (proposedVersion !== undefined && proposedVersion !== latest + 1) {
      throw new HubProblem(Problems.policyVersionConflict, `The next version of ${request.id} is ${latest + 1}, not ${proposedVersion}`);
    }
    const policy: Policy = { ...document, version: latest + 1 };
    const problems = [...policyPlacementProblems(policy, this.current(), this.partnerIds), ...policyProblems(policy)];
    if (problems.length > 0) throw new HubProblem(Problems.invalidPolicy, `Policy ${request.id} refers to what does not exist or overlaps another policy`, pointerErrors(problems));

    const published: PolicyVersion = { policy, author: request.author, publishedAt: (request.now ?? new Date()).toISOString(), comment };
    try {
      await this.store.addPolicyVersion(published);
    } catch (err) {
      if (err instanceof PolicyVersionExistsError) throw new HubProblem(Problems.policyVersionConflict, err.message);
      throw err;
    }
    this.versions.set(policy.id, [...this.history(policy.id), published]);
    return published;
  }
}
