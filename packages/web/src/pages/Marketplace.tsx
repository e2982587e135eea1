import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { GroupCard, GroupInvitationState, useGroupAccountNames } from '../components/GroupCard.tsx';
import { CreateNamedModal } from '../components/CreateNamedModal.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { PublishDialog } from '../components/PublishDialog.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId, useSession } from '../session.tsx';

type Publication = Schemas['Publication'];
type ImportResult = Schemas['ImportResult'];

const KINDS = [
  { value: 'mci', label: 'MultiCloud Image' },
  { value: 'server_template', label: 'ServerTemplate' },
];
const kindLabel = (kind: string) => KINDS.find((k) => k.value === kind)?.label ?? kind;

function useCloudNames() {
  const clouds = useQuery({
    queryKey: ['clouds'],
    queryFn: async () => unwrap(await api.GET('/v1/clouds', { params: { query: { limit: 500 } } })).items,
  });
  const names = new Map((clouds.data ?? []).map((c) => [c.id, c.name]));
  return { clouds: clouds.data ?? [], nameOf: (id: string) => names.get(id) ?? id };
}

/** The marketplace (R-PUB-3) with search and import, this account's publications, and publishing. */
export function Marketplace() {
  const accountId = useAccountId();
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const [category, setCategory] = useState<string | null>(null);
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const { clouds, nameOf } = useCloudNames();
  const filters = {
    q: q || undefined,
    kind: (kind ?? undefined) as Publication['kind'] | undefined,
    category: category ?? undefined,
    cloudId: cloudId ?? undefined,
  };
  const list = useQuery({
    queryKey: ['marketplace', accountId, filters],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/marketplace', {
          params: { path: { a: accountId }, query: { ...filters, limit: 200 } },
        }),
      ).items,
  });
  // The categories on offer, from the unfiltered marketplace.
  const all = useQuery({
    queryKey: ['marketplace', accountId, 'all'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/marketplace', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items,
  });
  const categories = [...new Set((all.data ?? []).flatMap((p) => p.categories))].sort();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Marketplace</Title>
        {can('publisher') && <Button onClick={() => setPublishing(true)}>Publish</Button>}
      </Group>
      <Group>
        <TextInput
          placeholder="Search name or description"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          aria-label="Search the marketplace"
          w={280}
        />
        <Select
          aria-label="Kind"
          placeholder="Any kind"
          data={KINDS}
          value={kind}
          onChange={setKind}
          clearable
          w={190}
        />
        <Select
          aria-label="Category"
          placeholder="Any category"
          data={categories}
          value={category}
          onChange={setCategory}
          clearable
          searchable
          w={190}
        />
        <Select
          aria-label="Supported cloud"
          placeholder="Any cloud"
          data={clouds.map((c) => ({ value: c.id, label: c.name }))}
          value={cloudId}
          onChange={setCloudId}
          clearable
          searchable
          w={220}
        />
      </Group>
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="the marketplace" />
      ) : list.data?.length === 0 ? (
        <Empty>Nothing in the marketplace matches.</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
          {list.data?.map((p) => (
            <MarketCard key={p.id} publication={p} cloudName={nameOf} />
          ))}
        </SimpleGrid>
      )}
      {can('publisher') && <MyPublications cloudName={nameOf} />}
      <PublishDialog opened={publishing} onClose={() => setPublishing(false)} />
    </Stack>
  );
}

function MarketCard({
  publication: p,
  cloudName,
}: {
  publication: Publication;
  cloudName(id: string): string;
}) {
  const accountId = useAccountId();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [imported, setImported] = useState<ImportResult | null>(null);
  const importIt = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/imports', {
          params: { path: { a: accountId } },
          body: { publicationId: p.id },
        }),
      ),
    onSuccess: async (r) => {
      setImported(r);
      await queryClient.invalidateQueries({ queryKey: [r.kind === 'mci' ? 'mcis' : 'templates'] });
    },
  });
  return (
    <Card withBorder padding="lg" component="article" aria-label={p.name}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Text fw={600}>{p.name}</Text>
            <Text size="xs" c="dimmed">
              r{p.revision} · by {p.publisherName}
            </Text>
          </div>
          <Group gap={4} wrap="nowrap">
            <Badge variant="light" color={p.kind === 'mci' ? 'blue' : 'violet'}>
              {p.kind === 'mci' ? 'MCI' : 'ServerTemplate'}
            </Badge>
            {p.visibility === 'groups' && (
              <Badge variant="outline" color="gray">
                groups
              </Badge>
            )}
          </Group>
        </Group>
        <Text size="sm">{p.shortDescription}</Text>
        {p.categories.length > 0 && (
          <Group gap={4}>
            {p.categories.map((c) => (
              <Badge key={c} size="sm" variant="dot">
                {c}
              </Badge>
            ))}
          </Group>
        )}
        <Text size="xs" c="dimmed">
          {p.cloudIds.length} cloud{p.cloudIds.length === 1 ? '' : 's'}:{' '}
          {p.cloudIds.map(cloudName).join(', ')}
        </Text>
        {can('library') && (
          <Group mt="auto" pt="xs" gap="sm">
            <Button size="xs" variant="light" onClick={() => importIt.mutate()} loading={importIt.isPending}>
              Import
            </Button>
            {imported && (
              <>
                <Badge color={imported.created ? 'green' : 'gray'} data-testid="import-result">
                  {imported.created ? 'imported' : 'already imported'}
                </Badge>
                <Anchor
                  component={Link}
                  to={imported.kind === 'mci' ? `/mcis/${imported.id}` : `/templates/${imported.id}`}
                  size="sm"
                >
                  Open the copy
                </Anchor>
              </>
            )}
          </Group>
        )}
        {importIt.error && <ProblemAlert error={importIt.error} />}
      </Stack>
    </Card>
  );
}

/** This account's publications, newest first as the API lists them, with deprecate/reactivate. */
function MyPublications({ cloudName }: { cloudName(id: string): string }) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['publications', accountId],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/publications', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items,
  });
  const toggle = useMutation({
    mutationFn: async (p: Publication) => {
      const params = { params: { path: { a: accountId, p: p.id } } };
      return unwrap(
        p.state === 'active'
          ? await api.POST('/v1/accounts/{a}/publications/{p}/deprecate', params)
          : await api.POST('/v1/accounts/{a}/publications/{p}/reactivate', params),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['publications'] });
      await queryClient.invalidateQueries({ queryKey: ['marketplace'] });
    },
  });
  return (
    <Stack gap="xs" mt="lg">
      <Title order={3}>My publications</Title>
      {toggle.error && <ProblemAlert error={toggle.error} />}
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="publications" />
      ) : list.data?.length === 0 ? (
        <Empty>This account has published nothing yet.</Empty>
      ) : (
        <Table aria-label="My publications" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Visibility</Table.Th>
              <Table.Th>Clouds</Table.Th>
              <Table.Th>Published</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={p.kind === 'mci' ? `/mcis/${p.sourceId}` : `/templates/${p.sourceId}`}
                  >
                    {p.name} r{p.revision}
                  </Anchor>
                </Table.Td>
                <Table.Td>{kindLabel(p.kind)}</Table.Td>
                <Table.Td>{p.visibility}</Table.Td>
                <Table.Td>{p.cloudIds.map(cloudName).join(', ')}</Table.Td>
                <Table.Td>{new Date(p.publishedAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  <StateBadge state={p.state} />
                </Table.Td>
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="subtle"
                    color={p.state === 'active' ? 'orange' : 'green'}
                    onClick={() => toggle.mutate(p)}
                    loading={toggle.isPending && toggle.variables.id === p.id}
                  >
                    {p.state === 'active' ? 'Deprecate' : 'Reactivate'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** Account groups (R-GRP-1): owned and joined groups, invitations sent and received. */
export function Sharing() {
  const accountId = useAccountId();
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const groups = useQuery({
    queryKey: ['account-groups', accountId],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/account-groups', { params: { path: { a: accountId } } })).items,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sharing</Title>
        {can('publisher') && <Button onClick={() => setCreating(true)}>New group</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Account groups this account owns or belongs to. Publications shared with a group can be imported by
        its member accounts.
      </Text>
      {groups.error && <ProblemAlert error={groups.error} />}
      {groups.isPending ? (
        <Loading what="account groups" />
      ) : groups.data?.length === 0 ? (
        <Empty>This account neither owns nor belongs to an account group.</Empty>
      ) : (
        <Stack>
          {groups.data?.map((g) => (
            <GroupCard key={g.id} group={g} />
          ))}
        </Stack>
      )}
      <ReceivedInvitations />
      <CreateGroup opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function ReceivedInvitations() {
  const accountId = useAccountId();
  const { can } = useSession();
  const nameOf = useGroupAccountNames();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const groups = useQuery({
    queryKey: ['account-groups', accountId],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/account-groups', { params: { path: { a: accountId } } })).items,
  });
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name;
  const received = useQuery({
    queryKey: ['invitations', accountId],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/invitations', { params: { path: { a: accountId } } })).items,
  });
  const accept = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{b}/invitations/{code}/accept', {
          params: { path: { b: accountId, code: code.trim() } },
        }),
      ),
    onSuccess: async () => {
      setCode('');
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
      await queryClient.invalidateQueries({ queryKey: ['account-groups'] });
    },
  });
  return (
    <Stack gap="xs" mt="lg">
      <Title order={3}>Received invitations</Title>
      {received.error && <ProblemAlert error={received.error} />}
      {received.isPending ? (
        <Loading what="invitations" />
      ) : received.data?.length === 0 ? (
        <Text size="sm" c="dimmed">
          No invitations for this account.
        </Text>
      ) : (
        <Table aria-label="Received invitations" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Group</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Sent</Table.Th>
              <Table.Th>Expires</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {received.data?.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  {groupName(i.groupId) ?? (
                    <Text size="sm" ff="monospace">
                      {i.groupId}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <GroupInvitationState state={i.state} />
                </Table.Td>
                <Table.Td>{new Date(i.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>{new Date(i.expiresAt).toLocaleString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {can('admin') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            accept.mutate();
          }}
        >
          <Group align="flex-start">
            <TextInput
              label="Accept with code"
              placeholder="the code the group owner sent"
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              error={fieldError(accept.error, 'code')}
              w={360}
            />
            <Button type="submit" mt={25} loading={accept.isPending} disabled={!code.trim()}>
              Accept
            </Button>
          </Group>
        </form>
      )}
      {accept.error && !fieldError(accept.error, 'code') && <ProblemAlert error={accept.error} />}
      {accept.data && (
        <Text size="sm" c="green" data-testid="accepted">
          Joined {accept.data.group.name}, owned by {nameOf(accept.data.group.ownerAccountId)}.
        </Text>
      )}
    </Stack>
  );
}

function CreateGroup({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  return (
    <CreateNamedModal
      opened={opened}
      onClose={onClose}
      title="New account group"
      create={async (body) =>
        unwrap(
          await api.POST('/v1/accounts/{a}/account-groups', { params: { path: { a: accountId } }, body }),
        )
      }
      onCreated={() => queryClient.invalidateQueries({ queryKey: ['account-groups'] })}
    />
  );
}
