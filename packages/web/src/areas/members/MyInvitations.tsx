import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { useAnswerInvitation, useMyInvitations } from './queries.ts';

/**
 * Invitations to join accounts addressed to the signed-in user's email: accepting one makes the
 * user a member with its roles. Renders nothing when there are none, unless `always`.
 */
export function MyInvitations({ always = false }: { always?: boolean }) {
  const invitations = useMyInvitations();
  const answer = useAnswerInvitation();
  if (invitations.isPending) return always ? <Loading what="your invitations" /> : null;
  if (invitations.error) return <ProblemAlert error={invitations.error} />;
  if (invitations.data.length === 0) {
    return always ? (
      <Text size="sm" c="dimmed">
        No invitations to join an account are waiting for you.
      </Text>
    ) : null;
  }
  return (
    <Stack gap="xs">
      <Title order={3}>Invitations to you</Title>
      <Table aria-label="Invitations to you" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Account</Table.Th>
            <Table.Th>Roles</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invitations.data.map((i) => (
            <Table.Tr key={i.id}>
              <Table.Td>{i.accountName}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {i.roles.map((r) => (
                    <Badge key={r} variant="light">
                      {r}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{new Date(i.expiresAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button
                    size="xs"
                    onClick={() => answer.mutate({ id: i.id, accept: true })}
                    loading={answer.isPending && answer.variables?.id === i.id && answer.variables.accept}
                  >
                    Accept
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => answer.mutate({ id: i.id, accept: false })}
                    loading={answer.isPending && answer.variables?.id === i.id && !answer.variables.accept}
                  >
                    Decline
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {answer.error && <ProblemAlert error={answer.error} />}
    </Stack>
  );
}
