import { Alert, Button, Code, CopyButton, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import {
  useAccountNames,
  useCancelInvitation,
  useGroupInvitations,
  useInvite,
  type AccountGroup,
} from './queries.ts';
import { InvitationState } from './InvitationState.tsx';

/** A group owner's invitations: invite an account (its code shown once), see and cancel them. */
export function GroupInvitations({ group }: { group: AccountGroup }) {
  const nameOf = useAccountNames();
  const [invitee, setInvitee] = useState('');
  const invitations = useGroupInvitations(group.id);
  const invite = useInvite(group.id);
  const cancel = useCancelInvitation(group.id);
  return (
    <Stack gap="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate(invitee.trim(), { onSuccess: () => setInvitee('') });
        }}
      >
        <Group align="flex-start">
          <TextInput
            label="Invite an account"
            placeholder="account id"
            value={invitee}
            onChange={(e) => setInvitee(e.currentTarget.value)}
            error={fieldError(invite.error, 'accountId')}
            w={360}
          />
          <Button type="submit" mt={25} loading={invite.isPending} disabled={!invitee.trim()}>
            Invite
          </Button>
        </Group>
      </form>
      {invite.error && !fieldError(invite.error, 'accountId') && <ProblemAlert error={invite.error} />}
      {invite.data && (
        <Alert color="blue" title="Invitation code: shown only once" data-testid="invitation-code">
          <Group gap="xs">
            <Code fz="md">{invite.data.code}</Code>
            <CopyButton value={invite.data.code}>
              {({ copied, copy }) => (
                <Button
                  size="xs"
                  variant={copied ? 'filled' : 'default'}
                  color={copied ? 'teal' : 'blue'}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" mt={4}>
            For {nameOf(invite.data.inviteeAccountId)}; an admin of that account accepts it before{' '}
            {new Date(invite.data.expiresAt).toLocaleString()}.
          </Text>
        </Alert>
      )}
      {invitations.isPending ? (
        <Loading what="invitations" />
      ) : invitations.error ? (
        <ProblemAlert error={invitations.error} />
      ) : (
        invitations.data.length > 0 && (
          <Table aria-label={`Invitations of ${group.name}`} striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Invited account</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {invitations.data.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{nameOf(i.inviteeAccountId)}</Table.Td>
                  <Table.Td>
                    <InvitationState state={i.state} />
                  </Table.Td>
                  <Table.Td>
                    {i.state === 'accepted' && i.acceptedAt
                      ? `accepted ${new Date(i.acceptedAt).toLocaleString()}`
                      : new Date(i.expiresAt).toLocaleString()}
                  </Table.Td>
                  <Table.Td ta="right">
                    {i.state === 'pending' && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => cancel.mutate(i.id)}>
                        Cancel
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      )}
      {cancel.error && <ProblemAlert error={cancel.error} />}
    </Stack>
  );
}
