import type { Cloud, Image, InstanceType, McILink, ResolutionLink } from '@mci/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import { toCloud, toImage, toInstanceType } from './catalog.repository.ts';
import type { Executor } from './database.ts';
import { reusableStatement } from './prepared.ts';
import {
  clouds,
  deployments,
  images,
  instanceTypes,
  mciSettings,
  serverTemplates,
  templateLinks,
} from './schema.ts';

/**
 * What placing a server of a template in a cloud of a deployment needs (R-SRV-1..3, R-SRV-6),
 * read in one statement: the deployment's owner, the cloud, the template's owner, its links by
 * position each with its setting for that cloud only (not every setting of every linked MCI),
 * and those settings' images and instance types. No row lock: the server's insert takes the
 * foreign key's own lock on the deployment (a concurrent delete waits for it), and an insert
 * after a delete fails its foreign key, which the unit of work runs again to a 404 (ADR 013).
 */
export interface PlacementFacts {
  deploymentAccountId: string;
  /** Null when there is no such cloud. */
  cloud: Cloud | null;
  /** The template's account, or null when there is no such template. */
  templateAccountId: string | null;
  /** Every link of the template; `settings` holds at most the one for the cloud. */
  links: ResolutionLink[];
  images: Map<string, Image>;
  instanceTypes: Map<string, InstanceType>;
}

/** A template's links with the clouds each covers (R-ST-3), read in one statement. */
export interface TemplateCoverage {
  templateAccountId: string;
  links: (McILink & { settings: { cloudId: string }[] })[];
  clouds: Map<string, Pick<Cloud, 'id' | 'name'>>;
}

/** A link's own fields, as `McILink` has them. */
const linkColumns = {
  id: templateLinks.id,
  mciId: templateLinks.mciId,
  mciLineageId: templateLinks.mciLineageId,
  isDefault: templateLinks.isDefault,
  position: templateLinks.position,
};

/** Built once; a named statement, so PostgreSQL parses and plans the join once per connection. */
const placementStatement = reusableStatement('placement_facts', (db) =>
  db
    .select({
      deploymentAccountId: deployments.accountId,
      cloud: clouds,
      templateAccountId: serverTemplates.accountId,
      link: linkColumns,
      setting: mciSettings,
      image: images,
      instanceType: instanceTypes,
    })
    .from(deployments)
    .leftJoin(clouds, eq(clouds.id, sql.placeholder('cloudId')))
    .leftJoin(serverTemplates, eq(serverTemplates.id, sql.placeholder('templateId')))
    .leftJoin(templateLinks, eq(templateLinks.templateId, serverTemplates.id))
    .leftJoin(
      mciSettings,
      and(eq(mciSettings.mciId, templateLinks.mciId), eq(mciSettings.cloudId, clouds.id)),
    )
    .leftJoin(images, eq(images.id, mciSettings.imageId))
    .leftJoin(instanceTypes, eq(instanceTypes.id, mciSettings.instanceTypeId))
    .where(eq(deployments.id, sql.placeholder('deploymentId')))
    .orderBy(asc(templateLinks.position)),
);

const coverageStatement = reusableStatement('template_coverage', (db) =>
  db
    .select({
      templateAccountId: serverTemplates.accountId,
      link: linkColumns,
      cloud: { id: clouds.id, name: clouds.name },
    })
    .from(serverTemplates)
    .leftJoin(templateLinks, eq(templateLinks.templateId, serverTemplates.id))
    .leftJoin(mciSettings, eq(mciSettings.mciId, templateLinks.mciId))
    .leftJoin(clouds, eq(clouds.id, mciSettings.cloudId))
    .where(eq(serverTemplates.id, sql.placeholder('templateId')))
    .orderBy(asc(templateLinks.position)),
);

export const placementRepository = {
  /** Undefined when there is no such template. */
  async templateCoverage(db: Executor, templateId: string): Promise<TemplateCoverage | undefined> {
    const rows = await coverageStatement(db, { templateId });
    if (rows.length === 0) return undefined;
    const coverage: TemplateCoverage = {
      templateAccountId: rows[0].templateAccountId,
      links: [],
      clouds: new Map(),
    };
    const byId = new Map<string, TemplateCoverage['links'][number]>();
    for (const { link, cloud } of rows) {
      if (!link) continue;
      let entry = byId.get(link.id);
      if (!entry) {
        entry = { ...link, settings: [] };
        byId.set(link.id, entry);
        coverage.links.push(entry);
      }
      if (cloud) {
        entry.settings.push({ cloudId: cloud.id });
        coverage.clouds.set(cloud.id, cloud);
      }
    }
    return coverage;
  },

  /** The facts, or undefined when the deployment does not exist. */
  async placementFacts(
    db: Executor,
    place: { deploymentId: string; templateId: string; cloudId: string },
  ): Promise<PlacementFacts | undefined> {
    const rows = await placementStatement(db, place);
    if (rows.length === 0) return undefined;
    const facts: PlacementFacts = {
      deploymentAccountId: rows[0].deploymentAccountId,
      cloud: rows[0].cloud && toCloud(rows[0].cloud),
      templateAccountId: rows[0].templateAccountId,
      links: [],
      images: new Map(),
      instanceTypes: new Map(),
    };
    for (const { link, setting, image, instanceType } of rows) {
      if (!link) continue;
      facts.links.push({
        ...link,
        settings: setting
          ? [
              {
                cloudId: setting.cloudId,
                imageId: setting.imageId,
                instanceTypeId: setting.instanceTypeId,
                userData: setting.userData,
              },
            ]
          : [],
      });
      if (image) facts.images.set(image.id, toImage(image));
      if (instanceType) facts.instanceTypes.set(instanceType.id, toInstanceType(instanceType));
    }
    return facts;
  },
};
