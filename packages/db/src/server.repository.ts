import type { InheritedFrom, LaunchSpec, Server, ServerDefinition, ServerState } from '@mci/core';
import { and, asc, eq, inArray, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Executor } from './database.ts';
import { translateDbErrors } from './errors.ts';
import { newId } from './ids.ts';
import { reusableStatement } from './prepared.ts';
import { deployments, servers } from './schema.ts';

export interface DeploymentRecord {
  id: string;
  accountId: string;
  name: string;
  description: string;
  createdAt: string;
}

function toDeployment(r: typeof deployments.$inferSelect): DeploymentRecord {
  return {
    id: r.id,
    accountId: r.accountId,
    name: r.name,
    description: r.description,
    createdAt: r.createdAt.toISOString(),
  };
}

function toServer(r: typeof servers.$inferSelect): Server & { createdAt: string; updatedAt: string } {
  return {
    id: r.id,
    deploymentId: r.deploymentId,
    accountId: r.accountId,
    name: r.name,
    cloudId: r.cloudId,
    serverTemplateId: r.serverTemplateId,
    mciId: r.mciId,
    imageId: r.imageId,
    instanceTypeId: r.instanceTypeId,
    userData: r.userData,
    inheritedSource: {
      mci: r.inheritedMci as InheritedFrom,
      image: r.inheritedImage as InheritedFrom,
      instanceType: r.inheritedInstanceType as InheritedFrom,
    },
    state: r.state as ServerState,
    stateReason: r.stateReason,
    stateChangedAt: r.stateChangedAt?.toISOString() ?? null,
    providerInstanceId: r.providerInstanceId,
    launchedAt: r.launchedAt?.toISOString() ?? null,
    launchCount: r.launchCount,
    running:
      r.runningImageId && r.runningInstanceTypeId
        ? {
            imageId: r.runningImageId,
            instanceTypeId: r.runningInstanceTypeId,
            userData: r.runningUserData,
          }
        : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export type ServerRecord = ReturnType<typeof toServer>;

/** One step of a server's lifecycle; fields left out are kept. */
export interface LifecycleChange {
  at: Date;
  state?: ServerState;
  stateReason?: string | null;
  providerInstanceId?: string | null;
  launchedAt?: Date | null;
  launchCount?: number;
  running?: LaunchSpec | null;
}

function serverColumns(s: ServerDefinition) {
  return {
    deploymentId: s.deploymentId,
    accountId: s.accountId,
    name: s.name,
    cloudId: s.cloudId,
    serverTemplateId: s.serverTemplateId,
    mciId: s.mciId,
    imageId: s.imageId,
    instanceTypeId: s.instanceTypeId,
    userData: s.userData,
    inheritedMci: s.inheritedSource.mci,
    inheritedImage: s.inheritedSource.image,
    inheritedInstanceType: s.inheritedSource.instanceType,
  };
}

type ServerColumn = keyof ReturnType<typeof serverColumns> | 'id';
const column = (name: ServerColumn) => sql.placeholder(name);

/** Adding servers is the busiest write: built once, a named statement (ADR 015). */
const insertServerStatement = reusableStatement('server_insert', (db) =>
  db
    .insert(servers)
    .values({
      id: column('id'),
      deploymentId: column('deploymentId'),
      accountId: column('accountId'),
      name: column('name'),
      cloudId: column('cloudId'),
      serverTemplateId: column('serverTemplateId'),
      mciId: column('mciId'),
      imageId: column('imageId'),
      instanceTypeId: column('instanceTypeId'),
      userData: column('userData'),
      inheritedMci: column('inheritedMci'),
      inheritedImage: column('inheritedImage'),
      inheritedInstanceType: column('inheritedInstanceType'),
    })
    .returning(),
);

/** Deployments and the servers in them. */
export const serverRepository = {
  async insertDeployment(
    db: Executor,
    input: { accountId: string; name: string; description: string },
  ): Promise<DeploymentRecord> {
    return translateDbErrors(
      'deployment',
      async () => {
        const [row] = await db
          .insert(deployments)
          .values({ id: newId('deployment'), ...input })
          .returning();
        return toDeployment(row);
      },
      {
        deployments_account_name_key: {
          path: 'name',
          message: `a deployment named "${input.name}" already exists`,
        },
      },
    );
  },

  /**
   * One deployment; `lock: 'update'` holds its row for a transaction that changes or deletes it
   * (a delete's running-server check then sees every server committed before it; an edit after a
   * concurrent delete finds nothing, a 404, instead of updating no row).
   */
  async findDeployment(db: Executor, id: string, lock?: 'update'): Promise<DeploymentRecord | undefined> {
    const query = db.select().from(deployments).where(eq(deployments.id, id));
    const [row] = lock ? await query.for(lock) : await query;
    return row && toDeployment(row);
  },

  async listDeployments(
    db: Executor,
    f: { accountId: string; after?: { name: string; id: string }; limit: number },
  ): Promise<DeploymentRecord[]> {
    const rows = await db
      .select()
      .from(deployments)
      .where(
        and(
          eq(deployments.accountId, f.accountId),
          f.after
            ? sql`(${deployments.name}, ${deployments.id}) > (${f.after.name}, ${f.after.id})`
            : undefined,
        ),
      )
      .orderBy(asc(deployments.name), asc(deployments.id))
      .limit(f.limit + 1);
    return rows.map(toDeployment);
  },

  async updateDeployment(
    db: Executor,
    id: string,
    patch: { name?: string; description?: string },
  ): Promise<DeploymentRecord> {
    return translateDbErrors(
      'deployment',
      async () => {
        const [row] = await db.update(deployments).set(patch).where(eq(deployments.id, id)).returning();
        return toDeployment(row);
      },
      {
        deployments_account_name_key: {
          path: 'name',
          message: `a deployment named "${patch.name}" already exists`,
        },
      },
    );
  },

  async deleteDeployment(db: Executor, id: string): Promise<void> {
    await db.delete(deployments).where(eq(deployments.id, id));
  },

  async insertServer(db: Executor, input: ServerDefinition): Promise<ServerRecord> {
    const [row] = await insertServerStatement(db, { id: newId('server'), ...serverColumns(input) });
    return toServer(row);
  },

  /** One server; `lock: 'update'` holds its row for a transaction that changes or deletes it. */
  async findServer(db: Executor, id: string, lock?: 'update'): Promise<ServerRecord | undefined> {
    const query = db.select().from(servers).where(eq(servers.id, id));
    const [row] = lock ? await query.for(lock) : await query;
    return row && toServer(row);
  },

  async listServers(
    db: Executor,
    f: { deploymentId: string; cloudId?: string; after?: { name: string; id: string }; limit: number },
  ): Promise<ServerRecord[]> {
    const rows = await db
      .select()
      .from(servers)
      .where(
        and(
          eq(servers.deploymentId, f.deploymentId),
          f.cloudId ? eq(servers.cloudId, f.cloudId) : undefined,
          f.after ? sql`(${servers.name}, ${servers.id}) > (${f.after.name}, ${f.after.id})` : undefined,
        ),
      )
      .orderBy(asc(servers.name), asc(servers.id))
      .limit(f.limit + 1);
    return rows.map(toServer);
  },

  /** Changes a server's definition (rename, R-SRV-5 re-pointing); never its lifecycle (R-LCH-4). */
  async updateServer(db: Executor, id: string, next: ServerDefinition): Promise<ServerRecord> {
    const [row] = await db
      .update(servers)
      .set({ ...serverColumns(next), updatedAt: sql`clock_timestamp()` })
      .where(eq(servers.id, id))
      .returning();
    return toServer(row);
  },

  /**
   * Moves a server's lifecycle (launch, terminate, reconcile: SPEC §7). A state change stamps
   * `state_changed_at`; `running` null clears what runs now, a spec records what was launched.
   */
  async updateLifecycle(db: Executor, id: string, change: LifecycleChange): Promise<ServerRecord> {
    const set: PgUpdateSetSource<typeof servers> = { updatedAt: sql`clock_timestamp()` };
    if (change.state !== undefined) {
      set.state = change.state;
      set.stateChangedAt = change.at;
    }
    if (change.stateReason !== undefined) set.stateReason = change.stateReason;
    if (change.providerInstanceId !== undefined) set.providerInstanceId = change.providerInstanceId;
    if (change.launchedAt !== undefined) set.launchedAt = change.launchedAt;
    if (change.launchCount !== undefined) set.launchCount = change.launchCount;
    if (change.running !== undefined) {
      set.runningImageId = change.running?.imageId ?? null;
      set.runningInstanceTypeId = change.running?.instanceTypeId ?? null;
      set.runningUserData = change.running?.userData ?? null;
    }
    const [row] = await db.update(servers).set(set).where(eq(servers.id, id)).returning();
    return toServer(row);
  },

  /**
   * R-LCH-3: the servers a reconcile refreshes — not idle, with an instance — of one cloud (or
   * every cloud), ordered by account so each account's credentials are used once.
   */
  async serversToReconcile(db: Executor, f: { cloudId?: string; limit: number }): Promise<ServerRecord[]> {
    const rows = await db
      .select()
      .from(servers)
      .where(
        and(
          notInArray(servers.state, ['inactive', 'stopped']),
          isNotNull(servers.providerInstanceId),
          f.cloudId ? eq(servers.cloudId, f.cloudId) : undefined,
        ),
      )
      .orderBy(asc(servers.cloudId), asc(servers.accountId), asc(servers.id))
      .limit(f.limit);
    return rows.map(toServer);
  },

  async deleteServer(db: Executor, id: string): Promise<void> {
    await db.delete(servers).where(eq(servers.id, id));
  },

  /**
   * Launches interrupted between moving to `pending` and recording the instance (the process
   * died while the cloud was asked): pending, no instance, unchanged since `before`.
   */
  async staleLaunches(
    db: Executor,
    f: { cloudId?: string; before: Date; limit: number },
  ): Promise<ServerRecord[]> {
    const rows = await db
      .select()
      .from(servers)
      .where(
        and(
          eq(servers.state, 'pending'),
          isNull(servers.providerInstanceId),
          lt(servers.stateChangedAt, f.before),
          f.cloudId ? eq(servers.cloudId, f.cloudId) : undefined,
        ),
      )
      .orderBy(asc(servers.stateChangedAt), asc(servers.id))
      .limit(f.limit);
    return rows.map(toServer);
  },

  /**
   * R-LCH-3: the clouds that have launched servers (not idle, with an instance) or launches
   * waiting for the cloud's answer, for the schedule.
   */
  async cloudsWithLaunchedServers(db: Executor): Promise<string[]> {
    const rows = await db
      .selectDistinct({ cloudId: servers.cloudId })
      .from(servers)
      .where(
        or(
          and(notInArray(servers.state, ['inactive', 'stopped']), isNotNull(servers.providerInstanceId)),
          and(eq(servers.state, 'pending'), isNull(servers.providerInstanceId)),
        ),
      );
    return rows.map((r) => r.cloudId);
  },

  /** Servers pinned to any of these MCI revisions (usage). */
  async usingMcis(db: Executor, mciIds: string[]): Promise<ServerRecord[]> {
    if (mciIds.length === 0) return [];
    const rows = await db
      .select()
      .from(servers)
      .where(inArray(servers.mciId, mciIds))
      .orderBy(asc(servers.name));
    return rows.map(toServer);
  },
};
