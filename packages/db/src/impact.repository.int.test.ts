import { newImageFrom } from '@mci/core';
import { expect, it } from 'vitest';
import { catalogRepository } from './catalog.repository.ts';
import { EMPTY_IMPACT, impactRepository } from './impact.repository.ts';
import { describeOnEveryEngine } from './testing/index.ts';

describeOnEveryEngine('impactRepository', (database) => {
  it('R-CLD-5: records an image change and lists it newest first with the last change per image', async () => {
    const { db } = database();
    const cloud = await catalogRepository.insertCloud(db, {
      name: 'Impact cloud',
      cloudType: 'aws',
      region: 'eu-west-1',
      description: '',
    });
    const image = await catalogRepository.insertImage(
      db,
      newImageFrom(
        cloud.id,
        {
          resourceUid: 'ami-impact',
          name: 'impact',
          description: '',
          osFamily: 'ubuntu',
          osVersion: '24.04',
          cpuArchitecture: 'x86_64',
          virtualizationType: 'hvm',
          rootDeviceType: 'ebs',
          visibility: 'public',
          launchPermissions: [],
          state: 'available',
        },
        new Date(),
      ),
    );
    expect(await impactRepository.impactOf(db, [image.id])).toEqual(EMPTY_IMPACT);
    const base = { imageId: image.id, cloudId: cloud.id, reason: '', jobId: null, impact: EMPTY_IMPACT };
    await impactRepository.insertChanges(
      db,
      [{ ...base, fromState: 'available', toState: 'deprecated' }],
      new Date('2026-01-01T00:00:00Z'),
    );
    const [second] = await impactRepository.insertChanges(
      db,
      [{ ...base, fromState: 'deprecated', toState: 'unavailable', reason: 'deregistered' }],
      new Date('2026-01-02T00:00:00Z'),
    );
    const listed = await impactRepository.listChanges(db, { imageId: image.id, limit: 1 });
    expect(listed.map((c) => c.toState)).toEqual(['unavailable', 'deprecated']);
    const rest = await impactRepository.listChanges(db, {
      imageId: image.id,
      before: [listed[0].at, listed[0].id],
      limit: 5,
    });
    expect(rest.map((c) => c.toState)).toEqual(['deprecated']);
    const last = await impactRepository.lastChanges(db, [image.id, 'img_none']);
    expect(last.get(image.id)?.id).toBe(second.id);
    expect(last.size).toBe(1);

    // A big vanish step: more rows than one statement's bind parameters allow.
    const many = await impactRepository.insertChanges(
      db,
      Array.from({ length: 7500 }, () => ({ ...base, fromState: 'available', toState: 'unavailable' })),
      new Date('2026-01-03T00:00:00Z'),
    );
    expect(new Set(many.map((c) => c.id)).size).toBe(7500);
    const page = await impactRepository.listChanges(db, { imageId: image.id, limit: 10_000 });
    expect(page).toHaveLength(7502);
  });
});
