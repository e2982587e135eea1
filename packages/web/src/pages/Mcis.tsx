import { Anchor, Badge, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api.ts';
import { CreateNamedModal } from '../components/CreateNamedModal.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId, useSession } from '../session.tsx';

/** The account's MultiCloud Images (HEADs), with search and a create button for designers. */
export function Mcis() {
  const accountId = useAccountId();
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['mcis', accountId, q],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', {
          params: { path: { a: accountId }, query: { q: q || undefined, revision: 0, limit: 200 } },
        }),
      ).items,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>MultiCloud Images</Title>
        {can('designer') && <Button onClick={() => setCreating(true)}>New MCI</Button>}
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
      ) : list.data?.length === 0 ? (
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
            {list.data?.map((m) => (
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
      <CreateMci opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function CreateMci({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <CreateNamedModal
      opened={opened}
      onClose={onClose}
      title="New MultiCloud Image"
      create={async (body) =>
        unwrap(
          await api.POST('/v1/accounts/{a}/mcis', {
            params: { path: { a: accountId } },
            body: { ...body, tags: [], settings: [] },
          }),
        )
      }
      onCreated={async (mci) => {
        await queryClient.invalidateQueries({ queryKey: ['mcis'] });
        navigate(`/mcis/${mci.id}`);
      }}
    />
  );
}
