import { Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import { InvitationState } from './InvitationState.tsx';
import { useAcceptInvitation, useAccountNames, useGroups, useReceivedInvitations } from './queries.ts';

/** Invitations this account received, and accepting one with its code (admins). */
export function ReceivedInvitations() {
  const { can } = useSession();
  const nameOf = useAccountNames();
  const [code, setCode] = useState('');
  const groups = useGroups();
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name;
  const received = useReceivedInvitations();
  const accept = useAcceptInvitation();
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
                  <InvitationState state={i.state} />
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
            accept.mutate(code.trim(), { onSuccess: () => setCode('') });
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
