import { sql } from 'drizzle-orm';
import { rowsOf, type Executor } from './database.ts';
import { newId } from './ids.ts';
import { imageChanges } from './schema.ts';

/** An MCI revision (HEAD = 0 or committed) with a setting that uses one of the images. */
export interface ImpactMci {
  id: string;
  accountId: string;
  name: string;
  lineageId: string;
  revision: number;
  imageId: string;
  cloudId: string;
}

/** A ServerTemplate revision that links one of those MCI revisions. */
export interface ImpactTemplate {
  id: string;
  accountId: string;
  name: string;
  lineageId: string;
  revision: number;
  /** The linked MCI revisions that use an image of the change. */
  mciIds: string[];
  imageIds: string[];
}

/** A server pinned to one of the images (next launch), or running it (current). */
export interface ImpactServer {
  id: string;
  accountId: string;
  name: string;
  deploymentId: string;
  state: string;
  imageId: string;
  /** True when what runs now uses the image (`running_image_id`). */
  running: boolean;
  /** True when the next launch uses it (`image_id`). */
  next: boolean;
}

/** A publication of one of those MCI or template revisions. */
export interface ImpactPublication {
  id: string;
  accountId: string;
  name: string;
  kind: string;
  lineageId: string;
  revision: number;
  sourceId: string;
  visibility: string;
  groupIds: string[];
  state: string;
  imageIds: string[];
}

/** R-CLD-5: what references a set of images, its blast radius. */
export interface ImageImpact {
  mcis: ImpactMci[];
  templates: ImpactTemplate[];
  servers: ImpactServer[];
  publications: ImpactPublication[];
}

export interface ImageChangeRecord {
  id: string;
  imageId: string;
  cloudId: string;
  fromState: string;
  toState: string;
  reason: string;
  jobId: string | null;
  impact: ImageImpact;
  at: string;
}

/** Rows per insert statement (9 parameters each). */
const INSERT_CHUNK = 1000;

export const EMPTY_IMPACT: ImageImpact = Object.freeze({
  mcis: [],
  templates: [],
  servers: [],
  publications: [],
}) as ImageImpact;

interface ImpactRow {
  kind: 'mci' | 'template' | 'server' | 'publication';
  id: string;
  account_id: string;
  name: string;
  lineage_id: string | null;
  revision: number | null;
  image_ids: string[];
  extra: Record<string, unknown>;
}

function toImpactChange(r: typeof imageChanges.$inferSelect): ImageChangeRecord {
  return {
    id: r.id,
    imageId: r.imageId,
    cloudId: r.cloudId,
    fromState: r.fromState,
    toState: r.toState,
    reason: r.reason,
    jobId: r.jobId,
    impact: r.impact as ImageImpact,
    at: r.at.toISOString(),
  };
}

/** Split per image: the part of an impact that references one image. */
export function impactOfImage(impact: ImageImpact, imageId: string): ImageImpact {
  return {
    mcis: impact.mcis.filter((m) => m.imageId === imageId),
    templates: impact.templates.filter((t) => t.imageIds.includes(imageId)),
    servers: impact.servers.filter((s) => s.imageId === imageId),
    publications: impact.publications.filter((p) => p.imageIds.includes(imageId)),
  };
}

export const impactRepository = {
  /**
   * Every MCI revision, template revision, server and publication that references any of the
   * images, read in one statement (one CTE per kind, set-based over the image ids). Sorted by
   * kind, account, name, id.
   */
  async impactOf(db: Executor, imageIds: readonly string[]): Promise<ImageImpact> {
    if (imageIds.length === 0) return { mcis: [], templates: [], servers: [], publications: [] };
    const ids = sql`${sql.param([...imageIds])}::text[]`;
    const res = await db.execute(sql`
      with m as (
        select r.id, r.account_id, r.name, r.lineage_id, r.revision, s.image_id, s.cloud_id
        from mci_settings s join mcis r on r.id = s.mci_id
        where s.image_id = any(${ids})
      ),
      t as (
        select st.id, st.account_id, st.name, st.lineage_id, st.revision,
               array_agg(distinct m.id) as mci_ids, array_agg(distinct m.image_id) as image_ids
        from server_template_mci_links l
        join m on m.id = l.mci_id
        join server_templates st on st.id = l.template_id
        group by st.id
      ),
      srv as (
        select sv.id, sv.account_id, sv.name, sv.deployment_id, sv.state, sv.image_id,
               sv.running_image_id is not distinct from sv.image_id as running, true as next
        from servers sv where sv.image_id = any(${ids})
        union all
        select sv.id, sv.account_id, sv.name, sv.deployment_id, sv.state, sv.running_image_id,
               true, false
        from servers sv
        where sv.running_image_id = any(${ids}) and sv.running_image_id <> sv.image_id
      ),
      src as (
        select id, array_agg(distinct image_id) as image_ids from m group by id
        union all
        select id, image_ids from t
      ),
      p as (
        select pb.id, pb.publisher_account_id as account_id, pb.name, pb.kind, pb.lineage_id,
               pb.revision, pb.source_id, pb.visibility, pb.group_ids, pb.state, src.image_ids
        from publications pb join src on src.id = pb.source_id
      )
      select 'mci' as kind, id, account_id, name, lineage_id, revision, array[image_id] as image_ids,
             jsonb_build_object('cloudId', cloud_id) as extra
      from m
      union all
      select 'template', id, account_id, name, lineage_id, revision, image_ids,
             jsonb_build_object('mciIds', to_jsonb(mci_ids))
      from t
      union all
      select 'server', id, account_id, name, null, null, array[image_id],
             jsonb_build_object('deploymentId', deployment_id, 'state', state,
                                'running', running, 'next', next)
      from srv
      union all
      select 'publication', id, account_id, name, lineage_id, revision, image_ids,
             jsonb_build_object('kind', kind, 'sourceId', source_id, 'visibility', visibility,
                                'groupIds', to_jsonb(group_ids), 'state', state)
      from p
      order by 1, 3, 4, 2
    `);
    const impact: ImageImpact = { mcis: [], templates: [], servers: [], publications: [] };
    for (const r of rowsOf<ImpactRow>(res)) {
      const base = { id: r.id, accountId: r.account_id, name: r.name };
      const e = r.extra;
      if (r.kind === 'mci') {
        impact.mcis.push({
          ...base,
          lineageId: r.lineage_id!,
          revision: Number(r.revision),
          imageId: r.image_ids[0],
          cloudId: e.cloudId as string,
        });
      } else if (r.kind === 'template') {
        impact.templates.push({
          ...base,
          lineageId: r.lineage_id!,
          revision: Number(r.revision),
          mciIds: e.mciIds as string[],
          imageIds: r.image_ids,
        });
      } else if (r.kind === 'server') {
        impact.servers.push({
          ...base,
          deploymentId: e.deploymentId as string,
          state: e.state as string,
          imageId: r.image_ids[0],
          running: e.running as boolean,
          next: e.next as boolean,
        });
      } else {
        impact.publications.push({
          ...base,
          kind: e.kind as string,
          lineageId: r.lineage_id!,
          revision: Number(r.revision),
          sourceId: e.sourceId as string,
          visibility: e.visibility as string,
          groupIds: e.groupIds as string[],
          state: e.state as string,
          imageIds: r.image_ids,
        });
      }
    }
    return impact;
  },

  /** Writes the changes (one row each) and returns them as records, in the order given. */
  async insertChanges(
    db: Executor,
    changes: readonly Omit<ImageChangeRecord, 'id' | 'at'>[],
    at: Date,
  ): Promise<ImageChangeRecord[]> {
    if (changes.length === 0) return [];
    const records = changes.map((c) => ({ ...c, id: newId('imageChange'), at: at.toISOString() }));
    // Chunks keep a big sync's vanish step under PostgreSQL's 65,535 bind parameters per statement.
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      await db.insert(imageChanges).values(records.slice(i, i + INSERT_CHUNK).map((r) => ({ ...r, at })));
    }
    return records;
  },

  /** An image's changes, newest first; `before` is the keyset (at, id) of the last one read. */
  async listChanges(
    db: Executor,
    f: { imageId: string; before?: [string, string]; limit: number },
  ): Promise<ImageChangeRecord[]> {
    const rows = await db
      .select()
      .from(imageChanges)
      .where(
        f.before
          ? sql`${imageChanges.imageId} = ${f.imageId} and (${imageChanges.at}, ${imageChanges.id}) < (${new Date(f.before[0])}, ${f.before[1]})`
          : sql`${imageChanges.imageId} = ${f.imageId}`,
      )
      .orderBy(sql`${imageChanges.at} desc, ${imageChanges.id} desc`)
      .limit(f.limit + 1);
    return rows.map(toImpactChange);
  },

  /** The newest change of each image, one statement. */
  async lastChanges(db: Executor, imageIds: readonly string[]): Promise<Map<string, ImageChangeRecord>> {
    const result = new Map<string, ImageChangeRecord>();
    if (imageIds.length === 0) return result;
    const rows = await db
      .selectDistinctOn([imageChanges.imageId])
      .from(imageChanges)
      .where(sql`${imageChanges.imageId} = any(${sql.param([...imageIds])}::text[])`)
      .orderBy(imageChanges.imageId, sql`${imageChanges.at} desc, ${imageChanges.id} desc`);
    for (const r of rows) result.set(r.imageId, toImpactChange(r));
    return result;
  },
};
