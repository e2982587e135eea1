import { createApiClient, type ApiClient } from '@mci/client';

/** Fails with the request and the answer when a fixture call does not get the status it needs. */
export function must<T>(
  what: string,
  result: { data?: T; error?: unknown; response: Response },
  status: number | number[],
): T {
  const ok = Array.isArray(status) ? status : [status];
  if (!ok.includes(result.response.status) || result.data === undefined) {
    throw new Error(
      `${what}: expected ${ok.join(' or ')}, got ${result.response.status} ${JSON.stringify(result.error ?? result.data)}`,
    );
  }
  return result.data;
}

/** The ids of a small, connected data set: what a generator needs to get past the 404s. */
export interface Fixtures {
  accounts: string[];
  users: string[];
  clouds: string[];
  images: string[];
  instanceTypes: string[];
  mcis: string[];
  templates: string[];
  links: string[];
  deployments: string[];
  servers: string[];
  publications: string[];
  groups: string[];
  invitations: string[];
  /** An API token of the superuser that the run may revoke (never the one it authenticates with). */
  spareTokenId: string;
}

export function client(baseUrl: string, token: string): ApiClient {
  return createApiClient({ baseUrl, token });
}

/** An MCI HEAD with one setting per given cloud (image and instance type of that cloud). */
export async function createMci(
  api: ApiClient,
  accountId: string,
  name: string,
  settings: { cloudId: string; imageId: string; instanceTypeId: string }[],
) {
  return must(
    `create MCI ${name}`,
    await api.POST('/v1/accounts/{a}/mcis', {
      params: { path: { a: accountId } },
      body: { name, settings: settings.map((s) => ({ ...s, userData: null })) },
    }),
    201,
  );
}

/** A cloud of the installation with one public image and one instance type of it. */
export async function createCloud(api: ApiClient, name: string) {
  const cloud = must(
    `create cloud ${name}`,
    await api.POST('/v1/clouds', { body: { name, cloudType: 'aws', region: name.toLowerCase() } }),
    201,
  );
  const image = must(
    `create image in ${name}`,
    await api.POST('/v1/clouds/{c}/images', {
      params: { path: { c: cloud.id } },
      body: {
        resourceUid: `ami-${cloud.id.slice(-12)}`,
        name: `base-${name}`,
        cpuArchitecture: 'x86_64',
        visibility: 'public',
      },
    }),
    201,
  );
  const instanceType = must(
    `create instance type in ${name}`,
    await api.POST('/v1/clouds/{c}/instance-types', {
      params: { path: { c: cloud.id } },
      body: {
        resourceUid: 't3.micro',
        name: 't3.micro',
        cpuArchitectures: ['x86_64'],
        cpuCount: 2,
        memoryMb: 1024,
      },
    }),
    201,
  );
  return { cloudId: cloud.id, imageId: image.id, instanceTypeId: instanceType.id };
}

/**
 * Builds, through the API as the superuser, two accounts with members, two clouds with an image
 * and an instance type each, committed and HEAD MCIs, a template linking them, a deployment with a
 * server, a publication, an account group and an invitation.
 */
export async function createFixtures(baseUrl: string, token: string): Promise<Fixtures> {
  const api = client(baseUrl, token);
  const a1 = must('create account', await api.POST('/v1/accounts', { body: { name: 'Fuzz one' } }), 201);
  const a2 = must('create account', await api.POST('/v1/accounts', { body: { name: 'Fuzz two' } }), 201);
  const user = must(
    'create user',
    await api.POST('/v1/users', { body: { email: 'fuzz@example.com', name: 'Fuzz user' } }),
    [200, 201],
  );
  const me = must('read /v1/me', await api.GET('/v1/me'), 200);
  const spare = must(
    'create a spare token',
    await api.POST('/v1/users/{id}/tokens', {
      params: { path: { id: me.user.id } },
      body: { name: 'spare, for revocation' },
    }),
    201,
  );
  const c1 = await createCloud(api, 'Fuzz-east-1');
  const c2 = await createCloud(api, 'Fuzz-west-2');

  const head = await createMci(api, a1.id, 'fuzz-base', [c1, c2]);
  const committed = must(
    'commit MCI',
    await api.POST('/v1/accounts/{a}/mcis/{id}/commit', {
      params: { path: { a: a1.id, id: head.id } },
      body: { message: 'first' },
    }),
    201,
  );
  const mciRevisionId = committed.id;
  const other = await createMci(api, a1.id, 'fuzz-other', [c1]);
  const template = must(
    'create template',
    await api.POST('/v1/accounts/{a}/server-templates', {
      params: { path: { a: a1.id } },
      body: { name: 'fuzz-web', mciIds: [mciRevisionId, other.id] },
    }),
    201,
  );
  const committedTemplate = must(
    'commit template',
    await api.POST('/v1/accounts/{a}/server-templates/{id}/commit', {
      params: { path: { a: a1.id, id: template.id } },
      body: { message: 'first', commitHeadDependencies: true },
    }),
    201,
  );
  const deployment = must(
    'create deployment',
    await api.POST('/v1/accounts/{a}/deployments', {
      params: { path: { a: a1.id } },
      body: { name: 'fuzz-prod' },
    }),
    201,
  );
  const server = must(
    'create server',
    await api.POST('/v1/accounts/{a}/deployments/{d}/servers', {
      params: { path: { a: a1.id, d: deployment.id } },
      body: { name: 'web-1', serverTemplateId: template.id, cloudId: c1.cloudId },
    }),
    201,
  );
  const publication = must(
    'publish MCI',
    await api.POST('/v1/accounts/{a}/publications', {
      params: { path: { a: a1.id } },
      body: { sourceId: mciRevisionId, visibility: 'public', shortDescription: 'A fuzz base image' },
    }),
    201,
  );
  const group = must(
    'create account group',
    await api.POST('/v1/accounts/{a}/account-groups', {
      params: { path: { a: a1.id } },
      body: { name: 'fuzz partners' },
    }),
    201,
  );
  const invitation = must(
    'invite an account',
    await api.POST('/v1/accounts/{a}/account-groups/{g}/invitations', {
      params: { path: { a: a1.id, g: group.id } },
      body: { accountId: a2.id },
    }),
    201,
  );
  return {
    accounts: [a1.id, a2.id],
    users: [user.id],
    clouds: [c1.cloudId, c2.cloudId],
    images: [c1.imageId, c2.imageId],
    instanceTypes: [c1.instanceTypeId, c2.instanceTypeId],
    mcis: [head.id, mciRevisionId, other.id],
    templates: [template.id, committedTemplate.id],
    links: template.links.map((l) => l.id),
    deployments: [deployment.id],
    servers: [server.id],
    publications: [publication.publication.id],
    groups: [group.id],
    invitations: [invitation.id],
    spareTokenId: spare.id,
  };
}
