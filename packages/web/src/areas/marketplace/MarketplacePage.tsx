import { Button, Group, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { CloudSelect } from '../catalog/pickers.tsx';
import { useCloudDirectory } from '../catalog/queries.ts';
import { useSession } from '../session/session.tsx';
import { KINDS, MarketCard } from './MarketCard.tsx';
import { MyPublications } from './MyPublications.tsx';
import { PublishDialog } from './PublishDialog.tsx';
import { useMarketplace, useMarketplaceOverview, type Publication } from './queries.ts';

/** The marketplace (R-PUB-3) with search and import, this account's publications, and publishing. */
export function MarketplacePage() {
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const [category, setCategory] = useState<string | null>(null);
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const { nameOf } = useCloudDirectory();
  const list = useMarketplace({
    q: q || undefined,
    kind: (kind ?? undefined) as Publication['kind'] | undefined,
    category: category ?? undefined,
    cloudId: cloudId ?? undefined,
  });
  const { categories } = useMarketplaceOverview();
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
        <CloudSelect
          aria-label="Supported cloud"
          placeholder="Any cloud"
          value={cloudId}
          onChange={setCloudId}
          clearable
          w={220}
        />
      </Group>
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="the marketplace" />
      ) : list.items?.length === 0 ? (
        <Empty>Nothing in the marketplace matches.</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
          {list.items?.map((p) => (
            <MarketCard key={p.id} publication={p} cloudName={nameOf} />
          ))}
        </SimpleGrid>
      )}
      <LoadMore list={list} what="publications" />
      {can('publisher') && <MyPublications cloudName={nameOf} />}
      <PublishDialog opened={publishing} onClose={() => setPublishing(false)} />
    </Stack>
  );
}
