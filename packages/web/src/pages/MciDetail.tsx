import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId, useSession } from '../session.tsx';

type Mci = Schemas['Mci'];

/** One MCI revision: the cloud grid, lint warnings, commit, revisions, clone and usage. */
export function MciDetail() {
  const { id = '' } = useParams();
  const accountId = useAccountId();
  const { can } = useSession();
  const path = { params: { path: { a: accountId, id } } };
  const mci = useQuery({
    queryKey: ['mci', id],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}', path)),
  });
  const lint = useQuery({
    queryKey: ['mci', id, 'lint'],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}/lint', path)).warnings,
  });
  // null: closed; '' : add a cloud; a cloud id: replace that cloud's setting.
  const [settingFor, setSettingFor] = useState<string | null>(null);
  const [committing, setCommitting] = useState(false);
  const [cloning, setCloning] = useState(false);
  const navigate = useNavigate();
  if (mci.isPending) return <Loading what="the MCI" />;
  if (mci.error) return <ProblemAlert error={mci.error} />;
  const m = mci.data;
  const editable = m.revision === 0 && !m.importedFrom && can('designer');
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2}>{m.name}</Title>
          <Text c="dimmed" size="sm">
            {m.revision === 0 ? 'HEAD (editable)' : `revision ${m.revision} (committed)`}
            {m.baseRevision ? ` · based on r${m.baseRevision}` : ''}
            {m.importedFrom ? ' · imported, read-only' : ''}
          </Text>
        </div>
        <Group>
          {editable && <Button onClick={() => setSettingFor('')}>Add cloud</Button>}
          {editable && (
            <Button variant="light" onClick={() => setCommitting(true)}>
              Commit
            </Button>
          )}
          <Button variant="default" onClick={() => navigate(`/mcis/${m.id}/diff`)}>
            Compare
          </Button>
          {editable && (
            <Button variant="default" onClick={() => navigate(`/mcis/${m.id}/merge`)}>
              Merge
            </Button>
          )}
          {can('designer') && (
            <Button variant="default" onClick={() => setCloning(true)}>
              Clone
            </Button>
          )}
        </Group>
      </Group>
      {lint.data && lint.data.length > 0 && (
        <Alert color="yellow" title="Lint" data-testid="lint">
          <Stack gap={4}>
            {lint.data.map((w) => (
              <Text key={`${w.code}${w.cloudId ?? ''}${w.message}`} size="sm">
                <Code>{w.code}</Code> {w.message}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      <Tabs defaultValue="clouds">
        <Tabs.List>
          <Tabs.Tab value="clouds">Clouds</Tabs.Tab>
          <Tabs.Tab value="revisions">Revisions</Tabs.Tab>
          <Tabs.Tab value="usage">Usage</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="clouds" pt="md">
          <CloudGrid mci={m} editable={editable} onReplace={(cloudId) => setSettingFor(cloudId)} />
        </Tabs.Panel>
        <Tabs.Panel value="revisions" pt="md">
          <Revisions id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="usage" pt="md">
          <Usage id={id} />
        </Tabs.Panel>
      </Tabs>
      {settingFor !== null && (
        <AddSetting mci={m} replaceCloudId={settingFor || undefined} onClose={() => setSettingFor(null)} />
      )}
      <CommitDialog mci={m} opened={committing} onClose={() => setCommitting(false)} />
      <CloneDialog mci={m} opened={cloning} onClose={() => setCloning(false)} />
    </Stack>
  );
}

function CloudGrid({
  mci,
  editable,
  onReplace,
}: {
  mci: Mci;
  editable: boolean;
  onReplace(cloudId: string): void;
}) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async (cloudId: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', {
          params: { path: { a: accountId, id: mci.id, cloudId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['mci', mci.id] }),
  });
  if (mci.settings.length === 0) return <Empty>No clouds yet: add the image to launch in each cloud.</Empty>;
  return (
    <Stack>
      {remove.error && <ProblemAlert error={remove.error} />}
      <Table aria-label="Cloud grid" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Cloud</Table.Th>
            <Table.Th>Image</Table.Th>
            <Table.Th>Instance type</Table.Th>
            <Table.Th>Arch / OS</Table.Th>
            <Table.Th>User data</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {mci.settings.map((s) => (
            <Table.Tr key={s.cloudId}>
              <Table.Td>{s.cloudName}</Table.Td>
              <Table.Td>
                <Text size="sm">{s.imageName}</Text>
                <Text size="xs" ff="monospace" c="dimmed">
                  {s.imageResourceUid}
                </Text>
                {s.imageState !== 'available' && <StateBadge state={s.imageState} />}
              </Table.Td>
              <Table.Td>{s.instanceTypeName}</Table.Td>
              <Table.Td>
                {s.cpuArchitecture} · {s.osFamily} {s.osVersion}
              </Table.Td>
              <Table.Td>
                {s.userData ? <Badge variant="light">{s.userData.length} bytes</Badge> : '—'}
              </Table.Td>
              <Table.Td>
                {editable && (
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="xs"
                      variant="subtle"
                      onClick={() => onReplace(s.cloudId)}
                      aria-label={`Replace ${s.cloudName}`}
                    >
                      Replace
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => remove.mutate(s.cloudId)}
                      aria-label={`Remove ${s.cloudName}`}
                    >
                      Remove
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** The image picker: only images this account can use in the chosen cloud, and instance types that fit them. */
function AddSetting({
  mci,
  replaceCloudId,
  onClose,
}: {
  mci: Mci;
  replaceCloudId?: string;
  onClose(): void;
}) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const opened = true;
  const [cloudId, setCloudId] = useState<string | null>(replaceCloudId ?? null);
  const [imageId, setImageId] = useState<string | null>(null);
  const [typeId, setTypeId] = useState<string | null>(null);
  const [userData, setUserData] = useState('');
  const [q, setQ] = useState('');
  const clouds = useQuery({
    queryKey: ['clouds'],
    queryFn: async () => unwrap(await api.GET('/v1/clouds', { params: { query: { limit: 500 } } })).items,
    enabled: opened,
  });
  const images = useQuery({
    queryKey: ['usable-images', cloudId, q],
    enabled: Boolean(cloudId),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/images', {
          params: { path: { c: cloudId! }, query: { usableBy: accountId, q: q || undefined, limit: 200 } },
        }),
      ).items,
  });
  const image = images.data?.find((i) => i.id === imageId);
  const types = useQuery({
    queryKey: ['fitting-types', cloudId, image?.cpuArchitecture],
    enabled: Boolean(cloudId && image),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types', {
          params: { path: { c: cloudId! }, query: { cpuArchitecture: image!.cpuArchitecture, limit: 500 } },
        }),
      ).items,
  });
  const add = useMutation({
    mutationFn: async () => {
      const setting = {
        imageId: imageId ?? '',
        instanceTypeId: typeId ?? '',
        userData: userData || undefined,
      };
      if (replaceCloudId) {
        const path = { a: accountId, id: mci.id, cloudId: replaceCloudId };
        return unwrap(
          await api.PUT('/v1/accounts/{a}/mcis/{id}/settings/{cloudId}', { params: { path }, body: setting }),
        );
      }
      const path = { a: accountId, id: mci.id };
      return unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/settings', {
          params: { path },
          body: { cloudId: cloudId ?? '', ...setting },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['mci', mci.id] });
      setImageId(null);
      setTypeId(null);
      setUserData('');
      onClose();
    },
  });
  const taken = new Set(mci.settings.map((s) => s.cloudId).filter((c) => c !== replaceCloudId));
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={replaceCloudId ? 'Replace a cloud’s image' : 'Add a cloud'}
      size="lg"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Stack>
          <Select
            label="Cloud"
            searchable
            disabled={Boolean(replaceCloudId)}
            data={(clouds.data ?? [])
              .filter((c) => !taken.has(c.id))
              .map((c) => ({ value: c.id, label: c.name }))}
            value={cloudId}
            onChange={(v) => {
              setCloudId(v);
              setImageId(null);
              setTypeId(null);
            }}
            error={fieldError(add.error, 'cloudId')}
          />
          <TextInput
            label="Find image"
            placeholder="name or ami-…"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            disabled={!cloudId}
          />
          <Select
            label="Image"
            searchable
            disabled={!cloudId}
            data={(images.data ?? []).map((i) => ({
              value: i.id,
              label: `${i.name} (${i.resourceUid}, ${i.cpuArchitecture}${i.state === 'deprecated' ? ', deprecated' : ''})`,
            }))}
            value={imageId}
            onChange={(v) => {
              setImageId(v);
              setTypeId(null);
            }}
            error={fieldError(add.error, 'imageId')}
          />
          <Select
            label="Instance type"
            disabled={!image}
            data={(types.data ?? []).map((t) => ({
              value: t.id,
              label: `${t.resourceUid} (${t.cpuCount} vCPU, ${t.memoryMb} MB)`,
            }))}
            value={typeId}
            onChange={setTypeId}
            error={fieldError(add.error, 'instanceTypeId')}
          />
          <Textarea
            label="User data (optional)"
            value={userData}
            onChange={(e) => setUserData(e.currentTarget.value)}
            autosize
            minRows={2}
            error={fieldError(add.error, 'userData')}
          />
          {add.error && <ProblemAlert error={add.error} />}
          <Button type="submit" loading={add.isPending} disabled={!cloudId || !imageId || !typeId}>
            {replaceCloudId ? 'Replace' : 'Add'}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function CommitDialog({ mci, opened, onClose }: { mci: Mci; opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const commit = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/commit', {
          params: { path: { a: accountId, id: mci.id } },
          body: { message },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['mci', mci.id] });
      setMessage('');
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Commit ${mci.name}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          commit.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Message"
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            error={fieldError(commit.error, 'message')}
            data-autofocus
          />
          {commit.error && !fieldError(commit.error, 'message') && <ProblemAlert error={commit.error} />}
          <Button type="submit" loading={commit.isPending}>
            Commit
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function CloneDialog({ mci, opened, onClose }: { mci: Mci; opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const [name, setName] = useState(`${mci.name} (clone)`);
  const clone = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/mcis/{id}/clone', {
          params: { path: { a: accountId, id: mci.id } },
          body: { name },
        }),
      ),
    onSuccess: (c) => {
      onClose();
      navigate(`/mcis/${c.id}`);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Clone ${mci.name} r${mci.revision}`}>
      <Stack>
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(clone.error, 'name')}
        />
        {clone.error && <ProblemAlert error={clone.error} />}
        <Button onClick={() => clone.mutate()} loading={clone.isPending}>
          Clone
        </Button>
      </Stack>
    </Modal>
  );
}

function Revisions({ id }: { id: string }) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const revisions = useQuery({
    queryKey: ['mci', id, 'revisions'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis/{id}/revisions', { params: { path: { a: accountId, id } } }),
      ).items,
  });
  if (!revisions.data) return <Loading what="revisions" />;
  return (
    <Timeline bulletSize={18} lineWidth={2} aria-label="Revisions">
      {revisions.data.map((r) => (
        <Timeline.Item
          key={r.id}
          title={r.revision === 0 ? 'HEAD' : `Revision ${r.revision}`}
          onClick={() => navigate(`/mcis/${r.id}`)}
          style={{ cursor: 'pointer' }}
        >
          <Text size="sm">{r.commitMessage ?? 'uncommitted changes'}</Text>
          {r.committedAt && (
            <Text size="xs" c="dimmed">
              {new Date(r.committedAt).toLocaleString()} · {r.committedBy}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function Usage({ id }: { id: string }) {
  const accountId = useAccountId();
  const usage = useQuery({
    queryKey: ['mci', id, 'usage'],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/mcis/{id}/usage', { params: { path: { a: accountId, id } } })),
  });
  if (!usage.data) return <Loading what="usage" />;
  const used = usage.data.revisions.filter((r) => r.templates.length + r.servers.length > 0);
  if (used.length === 0) return <Empty>No template or server uses this MCI.</Empty>;
  return (
    <Table aria-label="Usage">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Revision</Table.Th>
          <Table.Th>Templates</Table.Th>
          <Table.Th>Servers</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {used.map((r) => (
          <Table.Tr key={r.mciId}>
            <Table.Td>{r.revision === 0 ? 'HEAD' : `r${r.revision}`}</Table.Td>
            <Table.Td>{r.templates.map((t) => `${t.name} r${t.revision}`).join(', ')}</Table.Td>
            <Table.Td>{r.servers.map((s) => s.name).join(', ')}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
