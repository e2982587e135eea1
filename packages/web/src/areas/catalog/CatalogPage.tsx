import { Anchor, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { StateBadge } from '../../ui/StateBadge.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useAccountId } from '../session/session.tsx';
import { CloudSync } from './CloudSync.tsx';
import { ImageDrawer } from './ImageDrawer.tsx';
import { CloudSelect } from './pickers.tsx';
import { useCloudSearch, useImages, useInstanceTypes, type CpuArchitecture, type Image } from './queries.ts';

/** Clouds with their images (search, filters, pagination, state badges) and instance types. */
export function CatalogPage() {
  const accountId = useAccountId();
  const firstClouds = useCloudSearch('');
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [arch, setArch] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [usable, setUsable] = useState<string | null>('all');
  const [selected, setSelected] = useState<Image | null>(null);
  const current = cloudId ?? firstClouds.items?.[0]?.id ?? null;
  const images = useImages(current, {
    q,
    cpuArchitecture: (arch ?? undefined) as CpuArchitecture | undefined,
    state: (state ?? undefined) as Image['state'] | undefined,
    usableBy: usable === 'usable' ? accountId : undefined,
  });
  if (firstClouds.isPending) return <Loading what="clouds" />;
  if (firstClouds.error) return <ProblemAlert error={firstClouds.error} />;
  if (firstClouds.items?.length === 0)
    return <Empty>No clouds yet: the superuser adds them (POST /v1/clouds).</Empty>;
  const rows = images.items ?? [];
  return (
    <Stack>
      <Title order={2}>Catalog</Title>
      <Group align="end">
        <CloudSelect label="Cloud" value={current} onChange={setCloudId} w={260} />
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
      <CloudSync cloudId={current} />
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
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => setSelected(i)}>
                    {i.name}
                  </Anchor>
                </Table.Td>
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
      <LoadMore list={images} what="images" />
      <ImageDrawer image={selected} onClose={() => setSelected(null)} />
      <InstanceTypes cloudId={current} />
    </Stack>
  );
}

function InstanceTypes({ cloudId }: { cloudId: string | null }) {
  const types = useInstanceTypes(cloudId);
  return (
    <>
      <Title order={3}>Instance types</Title>
      {types.error && <ProblemAlert error={types.error} />}
      {types.items && (
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
            {types.items.map((t) => (
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
      <LoadMore list={types} what="instance types" />
    </>
  );
}
