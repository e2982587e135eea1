import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildDemoCatalog, DEMO_CATALOG_FILE } from '../../../../scripts/build-demo-catalog.ts';

const MOTO = new URL('../../../../../shared/data/external/moto-aws-amis/', import.meta.url);

describe('the demo catalog (written by the project from ../shared/data/external/moto-aws-amis)', () => {
  it('is exactly what scripts/build-demo-catalog.ts makes from the source data (no drift)', async () => {
    const { text } = await buildDemoCatalog();
    expect(await readFile(DEMO_CATALOG_FILE, 'utf8')).toBe(text);
  });

  it('has one cloud per AWS region with every real AMI of that region', async () => {
    const { catalog } = await buildDemoCatalog();
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'me-south-1']) {
      const source = JSON.parse(await readFile(new URL(`latest_amis/${region}.json`, MOTO), 'utf8')) as {
        ami_id: string;
        architecture: string;
      }[];
      const cloud = catalog.clouds.find((c) => c.name === `AWS ${region}`)!;
      expect(cloud.region).toBe(region);
      expect(cloud.images.map((i) => i.resourceUid).sort()).toEqual(source.map((s) => s.ami_id).sort());
      for (const s of source) {
        expect(cloud.images.find((i) => i.resourceUid === s.ami_id)!.cpuArchitecture).toBe(s.architecture);
      }
    }
  });
});
