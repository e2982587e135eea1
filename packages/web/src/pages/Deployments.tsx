import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Code,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { paths } from '@mci/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { CreateNamedModal } from '../components/CreateNamedModal.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { InheritedBadge, InheritedBadges, ServerStateBadge } from '../components/ServerBadges.tsx';
import {
  revisionLabel,
  SERVER_STATES,
  useClouds,
  useImage,
  useInstanceType,
  useMci,
  useUsableImages,
  type Server,
} from '../components/ServerQueries.ts';
import { ServerWizard } from '../components/ServerWizard.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId, useSession } from '../session.tsx';

type Warning = Schemas['Warning'];

/** The account's deployments, with a create button for designers. */
export function Deployments() {
  const accountId = useAccountId();
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['deployments', accountId],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/deployments', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Deployments</Title>
        {can('designer') && <Button onClick={() => setCreating(true)}>New deployment</Button>}
      </Group>
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="deployments" />
      ) : list.data?.length === 0 ? (
        <Empty>No deployments yet.</Empty>
      ) : (
        <Table highlightOnHover aria-label="Deployments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/deployments/${d.id}`}>
                    {d.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{d.description || '—'}</Table.Td>
                <Table.Td>{new Date(d.createdAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <CreateDeployment opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function CreateDeployment({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <CreateNamedModal
      opened={opened}
      onClose={onClose}
      title="New deployment"
      create={async (body) =>
        unwrap(await api.POST('/v1/accounts/{a}/deployments', { params: { path: { a: accountId } }, body }))
      }
      onCreated={async (d) => {
        await queryClient.invalidateQueries({ queryKey: ['deployments'] });
        navigate(`/deployments/${d.id}`);
      }}
    />
  );
}

function useDeployment(accountId: string, d: string) {
  return useQuery({
    queryKey: ['deployment', d],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/deployments/{d}', { params: { path: { a: accountId, d } } })),
  });
}

/** One deployment: its servers and the add-server wizard (actors). */
export function DeploymentDetail() {
  const { d = '' } = useParams();
  const accountId = useAccountId();
  const { can } = useSession();
  const [adding, setAdding] = useState(false);
  const [wizardKey, setWizardKey] = useState(0);
  const [added, setAdded] = useState<Server | null>(null);
  const deployment = useDeployment(accountId, d);
  const servers = useQuery({
    queryKey: ['servers', d],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/deployments/{d}/servers', {
          params: { path: { a: accountId, d }, query: { limit: 500 } },
        }),
      ).items,
  });
  const clouds = useClouds();
  if (deployment.isPending) return <Loading what="the deployment" />;
  if (deployment.error) return <ProblemAlert error={deployment.error} />;
  const cloudName = (id: string) => clouds.data?.find((c) => c.id === id)?.name ?? id;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/deployments">
          Deployments
        </Anchor>
        <Text>{deployment.data.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <div>
          <Title order={2}>{deployment.data.name}</Title>
          {deployment.data.description && (
            <Text c="dimmed" size="sm">
              {deployment.data.description}
            </Text>
          )}
        </div>
        {can('actor') && (
          <Button
            onClick={() => {
              setWizardKey((k) => k + 1);
              setAdding(true);
            }}
          >
            Add server
          </Button>
        )}
      </Group>
      {added && (
        <Alert color="green" withCloseButton onClose={() => setAdded(null)} data-testid="added">
          Added server{' '}
          <Anchor component={Link} to={`/deployments/${d}/servers/${added.id}`}>
            {added.name}
          </Anchor>{' '}
          in {cloudName(added.cloudId)}.
        </Alert>
      )}
      {servers.error && <ProblemAlert error={servers.error} />}
      {servers.isPending ? (
        <Loading what="servers" />
      ) : servers.data?.length === 0 ? (
        <Empty>No servers yet{can('actor') ? ': add one, cloud first.' : '.'}</Empty>
      ) : (
        <Table highlightOnHover aria-label="Servers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Cloud</Table.Th>
              <Table.Th>MCI</Table.Th>
              <Table.Th>Image</Table.Th>
              <Table.Th>Instance type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Inherited</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {servers.data?.map((s) => (
              <ServerRow key={s.id} server={s} cloudName={cloudName(s.cloudId)} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      {adding && (
        <ServerWizard
          key={wizardKey}
          deploymentId={d}
          onClose={() => setAdding(false)}
          onCreated={(server) => {
            setAdding(false);
            setAdded(server);
          }}
        />
      )}
    </Stack>
  );
}

function ServerRow({ server, cloudName }: { server: Server; cloudName: string }) {
  const accountId = useAccountId();
  const mci = useMci(accountId, server.mciId);
  const image = useImage(server.cloudId, server.imageId);
  const type = useInstanceType(server.cloudId, server.instanceTypeId);
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/deployments/${server.deploymentId}/servers/${server.id}`}>
          {server.name}
        </Anchor>
      </Table.Td>
      <Table.Td>{cloudName}</Table.Td>
      <Table.Td>{mci.data ? `${mci.data.name} ${revisionLabel(mci.data.revision)}` : '…'}</Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace">
          {image.data?.resourceUid ?? '…'}
        </Text>
      </Table.Td>
      <Table.Td>{type.data?.resourceUid ?? '…'}</Table.Td>
      <Table.Td>
        <ServerStateBadge state={server.state} />
      </Table.Td>
      <Table.Td>
        <InheritedBadges source={server.inheritedSource} />
      </Table.Td>
    </Table.Tr>
  );
}

/** One server: what it runs and where each part came from; actors re-point its MCI or image. */
export function ServerDetail() {
  const { d = '', s = '' } = useParams();
  const accountId = useAccountId();
  const { can } = useSession();
  const deployment = useDeployment(accountId, d);
  const server = useQuery({
    queryKey: ['server', s],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
          params: { path: { a: accountId, d, s } },
        }),
      ),
  });
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const clouds = useClouds();
  const srv = server.data;
  const mci = useMci(accountId, srv?.mciId);
  const image = useImage(srv?.cloudId ?? '', srv?.imageId);
  const type = useInstanceType(srv?.cloudId ?? '', srv?.instanceTypeId);
  const template = useQuery({
    queryKey: ['template', srv?.serverTemplateId],
    enabled: Boolean(srv),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates/{id}', {
          params: { path: { a: accountId, id: srv!.serverTemplateId } },
        }),
      ),
  });
  if (server.isPending) return <Loading what="the server" />;
  if (server.error) return <ProblemAlert error={server.error} />;
  const cloudName = clouds.data?.find((c) => c.id === srv!.cloudId)?.name ?? srv!.cloudId;
  const row = (label: string, value: React.ReactNode, source?: Server['inheritedSource']['mci']) => (
    <Table.Tr>
      <Table.Th w={160}>{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
      <Table.Td w={130}>{source && <InheritedBadge source={source} size="sm" />}</Table.Td>
    </Table.Tr>
  );
  const v = srv!;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/deployments">
          Deployments
        </Anchor>
        <Anchor component={Link} to={`/deployments/${d}`}>
          {deployment.data?.name ?? '…'}
        </Anchor>
        <Text>{v.name}</Text>
      </Breadcrumbs>
      <Group>
        <Title order={2}>{v.name}</Title>
        <ServerStateBadge state={v.state} />
      </Group>
      {warnings.length > 0 && (
        <Alert
          color="yellow"
          title="Saved, with warnings"
          data-testid="warnings"
          withCloseButton
          onClose={() => setWarnings([])}
        >
          {warnings.map((w) => (
            <Text key={`${w.code}${w.message}`} size="sm">
              <Code>{w.code}</Code> {w.message}
            </Text>
          ))}
        </Alert>
      )}
      <Table aria-label="Server" withTableBorder>
        <Table.Tbody>
          {row('Cloud', cloudName)}
          {row(
            'ServerTemplate',
            template.data ? `${template.data.name} ${revisionLabel(template.data.revision)}` : '…',
          )}
          {row(
            'MCI',
            mci.data ? (
              <Anchor component={Link} to={`/mcis/${mci.data.id}`}>
                {mci.data.name} {revisionLabel(mci.data.revision)}
              </Anchor>
            ) : (
              '…'
            ),
            v.inheritedSource.mci,
          )}
          {row(
            'Image',
            image.data ? (
              <>
                <Text size="sm">{image.data.name}</Text>
                <Code>{image.data.resourceUid}</Code>
              </>
            ) : (
              '…'
            ),
            v.inheritedSource.image,
          )}
          {row(
            'Instance type',
            type.data ? (
              <>
                <Code>{type.data.resourceUid}</Code> {type.data.cpuCount} vCPU, {type.data.memoryMb} MB
              </>
            ) : (
              '…'
            ),
            v.inheritedSource.instanceType,
          )}
          {row('User data', v.userData ? <Code block>{v.userData}</Code> : '—')}
          {row('Updated', new Date(v.updatedAt).toLocaleString())}
        </Table.Tbody>
      </Table>
      {can('actor') && (
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <ChangeMci server={v} cloudName={cloudName} onSaved={setWarnings} />
          <ChangeImage server={v} cloudName={cloudName} onSaved={setWarnings} />
          <ChangeState server={v} onSaved={setWarnings} />
        </SimpleGrid>
      )}
    </Stack>
  );
}

type Patch = NonNullable<
  paths['/v1/accounts/{a}/deployments/{d}/servers/{s}']['patch']['requestBody']
>['content']['application/json'];

function usePatchServer(server: Server, onSaved: (w: Warning[]) => void) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Patch) =>
      unwrap(
        await api.PATCH('/v1/accounts/{a}/deployments/{d}/servers/{s}', {
          params: { path: { a: accountId, d: server.deploymentId, s: server.id } },
          body,
        }),
      ),
    onSuccess: async (saved) => {
      const { warnings, ...rest } = saved;
      queryClient.setQueryData(['server', server.id], rest);
      await queryClient.invalidateQueries({ queryKey: ['servers', server.deploymentId] });
      onSaved(warnings);
    },
  });
}

function ChangeMci({
  server,
  cloudName,
  onSaved,
}: {
  server: Server;
  cloudName: string;
  onSaved(w: Warning[]): void;
}) {
  const accountId = useAccountId();
  const [mciId, setMciId] = useState<string | null>(null);
  const patch = usePatchServer(server, (w) => {
    setMciId(null);
    onSaved(w);
  });
  const mcis = useQuery({
    queryKey: ['mcis', accountId, 'all-revisions'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', { params: { path: { a: accountId }, query: { limit: 500 } } }),
      ).items,
  });
  const fitting = (mcis.data ?? []).filter(
    (m) => m.id !== server.mciId && m.settings.some((st) => st.cloudId === server.cloudId),
  );
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (mciId) patch.mutate({ mciId });
        }}
      >
        <Stack gap="sm">
          <Text fw={500}>Change MCI</Text>
          <Select
            label="MultiCloud Image"
            description={`MCIs with a setting for ${cloudName}; image and type are re-resolved`}
            searchable
            data={fitting.map((m) => ({ value: m.id, label: `${m.name} — ${revisionLabel(m.revision)}` }))}
            value={mciId}
            onChange={setMciId}
            error={fieldError(patch.error, 'mciId')}
            nothingFoundMessage="No other MCI covers this cloud"
          />
          {patch.error && !fieldError(patch.error, 'mciId') && <ProblemAlert error={patch.error} />}
          <Button type="submit" disabled={!mciId} loading={patch.isPending}>
            Use this MCI
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function ChangeImage({
  server,
  cloudName,
  onSaved,
}: {
  server: Server;
  cloudName: string;
  onSaved(w: Warning[]): void;
}) {
  const accountId = useAccountId();
  const [q, setQ] = useState('');
  const [imageId, setImageId] = useState<string | null>(null);
  const images = useUsableImages(accountId, server.cloudId, q);
  const patch = usePatchServer(server, (w) => {
    setImageId(null);
    onSaved(w);
  });
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (imageId) patch.mutate({ imageId });
        }}
      >
        <Stack gap="sm">
          <Text fw={500}>Change image</Text>
          <TextInput
            label="Find image"
            placeholder="name or ami-…"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
          <Select
            label="Image"
            description={`Any image this account can use in ${cloudName}`}
            searchable
            data={(images.data ?? [])
              .filter((i) => i.id !== server.imageId)
              .map((i) => ({
                value: i.id,
                label: `${i.name} (${i.resourceUid}, ${i.cpuArchitecture}${i.state === 'deprecated' ? ', deprecated' : ''})`,
              }))}
            value={imageId}
            onChange={setImageId}
            error={fieldError(patch.error, 'imageId')}
          />
          {patch.error && !fieldError(patch.error, 'imageId') && <ProblemAlert error={patch.error} />}
          <Button type="submit" disabled={!imageId} loading={patch.isPending}>
            Use this image
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function ChangeState({ server, onSaved }: { server: Server; onSaved(w: Warning[]): void }) {
  const patch = usePatchServer(server, onSaved);
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Text fw={500}>State</Text>
        <Select
          label="State"
          data={SERVER_STATES}
          value={server.state}
          onChange={(v) => v && v !== server.state && patch.mutate({ state: v as Server['state'] })}
          allowDeselect={false}
          error={fieldError(patch.error, 'state')}
        />
        {patch.error && !fieldError(patch.error, 'state') && <ProblemAlert error={patch.error} />}
        <Text size="xs" c="dimmed">
          Changes to a running server’s MCI or image apply at its next launch.
        </Text>
      </Stack>
    </Paper>
  );
}
