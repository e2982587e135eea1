import { createHash } from 'node:crypto';
import { readDemoCatalog } from '../bootstrap/bootstrap.ts';
import type { Config } from '../config.ts';
import { SIMULATED_PUBLIC_OWNER, SimulatedWorld } from './simulated-driver.ts';

/** A generated image's id: `ami-` and 17 hex digits, stable per region and number. */
function generatedUid(region: string, n: number): string {
  return `ami-${createHash('sha256').update(`${region}/${n}`).digest('hex').slice(0, 17)}`;
}

/**
 * Adds `count` generated public images to each region (tests and demos of a big catalog): a
 * mix of architectures and distributions, all owned by the simulated public owner.
 */
export function addGeneratedImages(world: SimulatedWorld, regions: readonly string[], count: number): void {
  for (const region of regions) {
    for (let n = 0; n < count; n++) {
      const arm = n % 3 === 0;
      world.registerImage(region, {
        resourceUid: generatedUid(region, n),
        name: `generated-${arm ? 'arm64' : 'x86_64'}-${String(n).padStart(7, '0')}`,
        description: `Generated image ${n} of ${region}`,
        ownerPrincipal: SIMULATED_PUBLIC_OWNER,
        isPublic: true,
        cpuArchitecture: arm ? 'arm64' : 'x86_64',
        virtualizationType: 'hvm',
        rootDeviceType: 'ebs',
        osFamily: n % 2 === 0 ? 'ubuntu' : 'linux',
        osVersion: n % 2 === 0 ? '24.04' : '2023',
        cloudState: 'available',
      });
    }
  }
}

/** The simulated clouds of a server process, as SIMULATED_CLOUD_* configure them (config.ts). */
export async function simulatedWorldFor(
  config: Pick<
    Config,
    'SIMULATED_CLOUD_LATENCY_MS' | 'SIMULATED_CLOUD_PAGE_SIZE' | 'SIMULATED_CLOUD_EXTRA_IMAGES'
  >,
): Promise<SimulatedWorld> {
  const catalog = await readDemoCatalog();
  const world = new SimulatedWorld(catalog, {
    latencyMs: config.SIMULATED_CLOUD_LATENCY_MS,
    pageSize: config.SIMULATED_CLOUD_PAGE_SIZE,
  });
  if (config.SIMULATED_CLOUD_EXTRA_IMAGES > 0)
    addGeneratedImages(
      world,
      catalog.clouds.map((c) => c.region),
      config.SIMULATED_CLOUD_EXTRA_IMAGES,
    );
  return world;
}
