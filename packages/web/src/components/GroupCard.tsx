import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { useAccountId, useSession } from '../session.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';
import { Loading } from './States.tsx';

type AccountGroup = Schemas['AccountGroup'];

const INVITATION_COLORS: Record<string, string> = {
  pending: 'blue',
  accepted: 'green',
  cancelled: 'gray',
  expired: 'orange',
};

/** An invitation's state at a glance. */
export function GroupInvitationState({ state }: { state: string }) {
  return (
    <Badge color={INVITATION_COLORS[state] ?? 'gray'} variant="light">
      {state}
    </Badge>
  );
}

/**
 * Names of the accounts the caller can see (its own, or all for the superuser) and of the
 * publishers in its marketplace; other accounts are shown by id, as the API names them.
 */
export function useGroupAccountNames(): (id: string) => string {
  const { me } = useSession();
  const accountId = useAccountId();
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: async () => unwrap(await api.GET('/v1/accounts', { params: { query: { limit: 500 } } })).items,
  });
  const publishers = useQuery({
    queryKey: ['marketplace', accountId, 'all'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/marketplace', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items,
  });
  const names = new Map<string, string>(me.accounts.map((a) => [a.id, a.name]));
  for (const p of publishers.data ?? []) names.set(p.publisherAccountId, p.publisherName);
  for (const a of accounts.data ?? []) names.set(a.id, a.name);
  return (id) => names.get(id) ?? id;
}

/** One account group: members, and for its owner's publishers, invitations and member removal. */
export function GroupCard({ group }: { group: AccountGroup }) {
  const accountId = useAccountId();
  const { can } = useSession();
  const nameOf = useGroupAccountNames();
  const queryClient = useQueryClient();
  const manages = group.ownerAccountId === accountId && can('publisher');
  const path = { a: accountId, g: group.id };
  const remove = useMutation({
    mutationFn: async (member: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/account-groups/{g}/members/{accountId}', {
          params: { path: { ...path, accountId: member } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['account-groups'] }),
  });
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

function GroupInvitations({ group }: { group: AccountGroup }) {
  const accountId = useAccountId();
  const nameOf = useGroupAccountNames();
  const queryClient = useQueryClient();
  const [invitee, setInvitee] = useState('');
  const path = { a: accountId, g: group.id };
  const invitations = useQuery({
    queryKey: ['account-groups', accountId, group.id, 'invitations'],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{a}/account-groups/{g}/invitations', { params: { path } })).items,
  });
  const invite = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/account-groups/{g}/invitations', {
          params: { path },
          body: { accountId: invitee.trim() },
        }),
      ),
    onSuccess: async () => {
      setInvitee('');
      await queryClient.invalidateQueries({
        queryKey: ['account-groups', accountId, group.id, 'invitations'],
      });
    },
  });
  const cancel = useMutation({
    mutationFn: async (invitationId: string) =>
      unwrap(
        await api.DELETE('/v1/accounts/{a}/account-groups/{g}/invitations/{invitationId}', {
          params: { path: { ...path, invitationId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: ['account-groups', accountId, group.id, 'invitations'] }),
  });
  return (
    <Stack gap="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
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
                    <GroupInvitationState state={i.state} />
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
