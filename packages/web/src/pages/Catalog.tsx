import { Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId } from '../session.tsx';

/** Clouds with their images (search, filters, pagination, state badges) and instance types. */
export function Catalog() {
  const accountId = useAccountId();
  const clouds = useQuery({
    queryKey: ['clouds'],
    queryFn: async () => unwrap(await api.GET('/v1/clouds', { params: { query: { limit: 500 } } })).items,
  });
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [arch, setArch] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [usable, setUsable] = useState<string | null>('all');
  const current = cloudId ?? clouds.data?.[0]?.id ?? null;
  const images = useInfiniteQuery({
    queryKey: ['images', current, q, arch, state, usable],
    enabled: Boolean(current),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/clouds/{c}/images', {
          params: {
            path: { c: current! },
            query: {
              q: q || undefined,
              cpuArchitecture: (arch ?? undefined) as 'x86_64' | undefined,
              state: (state ?? undefined) as 'available' | undefined,
              usableBy: usable === 'usable' ? accountId : undefined,
              limit: 50,
              cursor: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const types = useQuery({
    queryKey: ['instance-types', current],
    enabled: Boolean(current),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/instance-types', {
          params: { path: { c: current! }, query: { limit: 500 } },
        }),
      ).items,
  });
  if (clouds.isPending) return <Loading what="clouds" />;
  if (clouds.error) return <ProblemAlert error={clouds.error} />;
  if (clouds.data.length === 0)
    return <Empty>No clouds yet: the superuser adds them (POST /v1/clouds).</Empty>;
  const rows = images.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <Title order={2}>Catalog</Title>
      <Group align="end">
        <Select
          label="Cloud"
          data={clouds.data.map((c) => ({ value: c.id, label: c.name }))}
          value={current}
          onChange={setCloudId}
          searchable
          w={260}
        />
        <TextInput
          label="Search images"
          placeholder="name or ami-…"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={240}
        />
        <Select
          label="Architecture"
          data={['x86_64', 'arm64', 'i386']}
          value={arch}
          onChange={setArch}
          clearable
          w={140}
        />
        <Select
          label="State"
          data={['available', 'deprecated', 'unavailable']}
          value={state}
          onChange={setState}
          clearable
          w={150}
        />
        <Select
          label="Show"
          data={[
            { value: 'all', label: 'All I can see' },
            { value: 'usable', label: 'Usable by this account' },
          ]}
          value={usable}
          onChange={setUsable}
          w={210}
          allowDeselect={false}
        />
      </Group>
      {images.error && <ProblemAlert error={images.error} />}
      {images.isPending ? (
        <Loading what="images" />
      ) : rows.length === 0 ? (
        <Empty>No images match.</Empty>
      ) : (
        <Table striped highlightOnHover aria-label="Images">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Resource UID</Table.Th>
              <Table.Th>OS</Table.Th>
              <Table.Th>Arch</Table.Th>
              <Table.Th>Visibility</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>{i.name}</Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {i.resourceUid}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {i.osFamily} {i.osVersion}
                </Table.Td>
                <Table.Td>{i.cpuArchitecture}</Table.Td>
                <Table.Td>{i.visibility}</Table.Td>
                <Table.Td>
                  <StateBadge state={i.state} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {images.hasNextPage && (
        <Button
          variant="light"
          onClick={() => void images.fetchNextPage()}
          loading={images.isFetchingNextPage}
        >
          Load more images
        </Button>
      )}
      <Title order={3}>Instance types</Title>
      {types.data && (
        <Table aria-label="Instance types">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Type</Table.Th>
              <Table.Th>vCPUs</Table.Th>
              <Table.Th>Memory (MB)</Table.Th>
              <Table.Th>Architectures</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {types.data.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.resourceUid}</Table.Td>
                <Table.Td>{t.cpuCount}</Table.Td>
                <Table.Td>{t.memoryMb}</Table.Td>
                <Table.Td>{t.cpuArchitectures.join(', ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
