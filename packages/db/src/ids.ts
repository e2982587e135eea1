import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const pool = new Uint8Array(4096);
let used = pool.length;

/**
 * The same cryptographic bytes ulid would draw, read from a pool filled 4 KB at a time: ulid asks
 * for one byte per character (16 system calls per id otherwise).
 */
function pooledRandom(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++] / 256;
}

const next = monotonicFactory(pooledRandom);

/** Prefixes make an id's kind visible in logs and URLs; the ULID part sorts by creation time. */
export const ID_PREFIX = {
  user: 'usr',
  account: 'acc',
  token: 'tok',
  cloud: 'cld',
  image: 'img',
  instanceType: 'ity',
  audit: 'aud',
  mci: 'mci',
  mciLineage: 'mcl',
  template: 'st',
  templateLineage: 'stl',
  link: 'lnk',
  deployment: 'dep',
  server: 'srv',
  group: 'grp',
  invitation: 'inv',
  memberInvitation: 'min',
  publication: 'pub',
  imageChange: 'imc',
  job: 'job',
  cloudCredential: 'ccr',
} as const;

export function newId(kind: keyof typeof ID_PREFIX): string {
  return `${ID_PREFIX[kind]}_${next().toLowerCase()}`;
}
