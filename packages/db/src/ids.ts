import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

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
} as const;

export function newId(kind: keyof typeof ID_PREFIX): string {
  return `${ID_PREFIX[kind]}_${next().toLowerCase()}`;
}
