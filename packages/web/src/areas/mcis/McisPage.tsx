import { Anchor, Badge, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CreateNamedModal } from '../../ui/CreateNamedModal.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import { useCreateMci, useMcis } from './queries.ts';

/** The account's MultiCloud Images (HEADs), with search and a create button for designers. */
export function McisPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useMcis(q, { headsOnly: true });
  const create = useCreateMci();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>MultiCloud Images</Title>
        {can('designer') && (
          <Group>
            <Button variant="default" component={Link} to="/mcis/import">
              Import region maps
            </Button>
            <Button onClick={() => setCreating(true)}>New MCI</Button>
          </Group>
        )}
      </Group>
      <TextInput
        placeholder="Search by name"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        aria-label="Search MCIs"
        w={320}
      />
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="MCIs" />
      ) : list.items?.length === 0 ? (
        <Empty>No MultiCloud Images yet.</Empty>
      ) : (
        <Table highlightOnHover aria-label="MCIs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Clouds</Table.Th>
              <Table.Th>Last commit</Table.Th>
              <Table.Th>Origin</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items?.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/mcis/${m.id}`}>
                    {m.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{m.settings.map((s) => s.cloudName).join(', ') || '—'}</Table.Td>
                <Table.Td>{m.baseRevision ? `r${m.baseRevision}` : 'never committed'}</Table.Td>
                <Table.Td>{m.clonedFrom ? <Badge variant="light">clone</Badge> : null}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={list} what="MCIs" />
      <CreateNamedModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New MultiCloud Image"
        mutation={create}
        onCreated={(mci) => navigate(`/mcis/${mci.id}`)}
      />
    </Stack>
  );
}
