import { Anchor, Button, Group, Stack, Table, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { StateBadge } from '../../ui/StateBadge.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { kindLabel, revisionHref } from './MarketCard.tsx';
import { usePublications, useTogglePublication, type Publication } from './queries.ts';
import { RecheckDialog } from './RecheckDialog.tsx';

/** This account's publications, newest first as the API lists them, with deprecate/reactivate. */
export function MyPublications({ cloudName }: { cloudName(id: string): string }) {
  const list = usePublications();
  const toggle = useTogglePublication();
  const [rechecking, setRechecking] = useState<Publication | null>(null);
  return (
    <Stack gap="xs" mt="lg">
      <Title order={3}>My publications</Title>
      {toggle.error && <ProblemAlert error={toggle.error} />}
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="publications" />
      ) : list.items?.length === 0 ? (
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
            {list.items?.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={revisionHref(p.kind, p.sourceId)}>
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
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="subtle" onClick={() => setRechecking(p)}>
                      Re-check launchability
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color={p.state === 'active' ? 'orange' : 'green'}
                      onClick={() => toggle.mutate(p)}
                      loading={toggle.isPending && toggle.variables.id === p.id}
                    >
                      {p.state === 'active' ? 'Deprecate' : 'Reactivate'}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={list} what="publications" />
      <RecheckDialog publication={rechecking} onClose={() => setRechecking(null)} />
    </Stack>
  );
}
