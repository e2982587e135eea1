import { Anchor, Button, Group, Stack, Table, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CreateNamedModal } from '../../ui/CreateNamedModal.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import { useCreateDeployment, useDeployments } from './queries.ts';

/** The account's deployments, with a create button for designers. */
export function DeploymentsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const list = useDeployments();
  const create = useCreateDeployment();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Deployments</Title>
        {can('designer') && <Button onClick={() => setCreating(true)}>New deployment</Button>}
      </Group>
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="deployments" />
      ) : list.items?.length === 0 ? (
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
            {list.items?.map((d) => (
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
      <LoadMore list={list} what="deployments" />
      <CreateNamedModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New deployment"
        mutation={create}
        onCreated={(d) => navigate(`/deployments/${d.id}`)}
      />
    </Stack>
  );
}
