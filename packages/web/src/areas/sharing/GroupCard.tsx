import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useAccountId, useSession } from '../session/session.tsx';
import { GroupInvitations } from './GroupInvitations.tsx';
import { useAccountNames, useRemoveMember, type AccountGroup } from './queries.ts';

/** One account group: members, and for its owner's publishers, invitations and member removal. */
export function GroupCard({ group }: { group: AccountGroup }) {
  const accountId = useAccountId();
  const { can } = useSession();
  const nameOf = useAccountNames();
  const manages = group.ownerAccountId === accountId && can('publisher');
  const remove = useRemoveMember(group.id);
  return (
    <Card withBorder padding="lg" component="section" aria-label={`Group ${group.name}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={4}>{group.name}</Title>
            {group.description && (
              <Text size="sm" c="dimmed">
                {group.description}
              </Text>
            )}
          </div>
          {group.ownerAccountId === accountId ? (
            <Badge variant="light">owned by this account</Badge>
          ) : (
            <Badge variant="light" color="teal">
              member · owner {nameOf(group.ownerAccountId)}
            </Badge>
          )}
        </Group>
        <div>
          <Text size="sm" fw={500} mb={4}>
            Members
          </Text>
          {group.memberAccountIds.length === 0 ? (
            <Text size="sm" c="dimmed">
              No member accounts yet.
            </Text>
          ) : (
            <Table aria-label={`Members of ${group.name}`}>
              <Table.Tbody>
                {group.memberAccountIds.map((m) => (
                  <Table.Tr key={m}>
                    <Table.Td>
                      {nameOf(m)}
                      {m === accountId && (
                        <Badge size="xs" ml="xs" variant="outline">
                          this account
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {nameOf(m) !== m && (
                        <Text size="xs" ff="monospace" c="dimmed">
                          {m}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      {manages && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => remove.mutate(m)}
                          aria-label={`Remove ${nameOf(m)}`}
                        >
                          Remove
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {remove.error && <ProblemAlert error={remove.error} />}
        </div>
        {manages && <GroupInvitations group={group} />}
      </Stack>
    </Card>
  );
}
