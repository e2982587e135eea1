import { Badge, Button, Group, MultiSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import type { Role } from '../session/queries.ts';
import { useSession } from '../session/session.tsx';
import { MyInvitations } from './MyInvitations.tsx';
import {
  ALL_ROLES,
  useAccountInvitations,
  useCancelMemberInvitation,
  useInviteMember,
  useMembers,
  useRemoveMember,
  useSetRoles,
  type Member,
} from './queries.ts';

const roleOptions = ALL_ROLES.map((r) => ({ value: r, label: r }));

/** A member's roles: badges, or for admins a role picker saved on demand, and removal. */
function MemberRow({ member, admin }: { member: Member; admin: boolean }) {
  const [roles, setRoles] = useState<Role[]>(member.roles);
  const setMemberRoles = useSetRoles();
  const remove = useRemoveMember();
  const changed = roles.length !== member.roles.length || roles.some((r) => !member.roles.includes(r));
  return (
    <Table.Tr>
      <Table.Td>{member.name}</Table.Td>
      <Table.Td>{member.email}</Table.Td>
      <Table.Td>
        {admin ? (
          <MultiSelect
            aria-label={`Roles of ${member.email}`}
            data={roleOptions}
            value={roles}
            onChange={(v) => setRoles(v as Role[])}
            w={340}
          />
        ) : (
          <Group gap={4}>
            {member.roles.map((r) => (
              <Badge key={r} variant="light">
                {r}
              </Badge>
            ))}
          </Group>
        )}
        {setMemberRoles.error && <ProblemAlert error={setMemberRoles.error} />}
        {remove.error && <ProblemAlert error={remove.error} />}
      </Table.Td>
      {admin && (
        <Table.Td>
          <Group gap="xs" justify="flex-end">
            <Button
              size="xs"
              disabled={!changed || roles.length === 0}
              loading={setMemberRoles.isPending}
              onClick={() => setMemberRoles.mutate({ userId: member.userId, roles })}
            >
              Save roles
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              loading={remove.isPending}
              onClick={() => remove.mutate(member.userId)}
            >
              Remove
            </Button>
          </Group>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

/** Invite by email (admins): the person joins when they accept the invitation. */
function InviteForm() {
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>(['observer']);
  const invite = useInviteMember();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        invite.mutate({ email: email.trim(), roles }, { onSuccess: () => setEmail('') });
      }}
    >
      <Group align="flex-start">
        <TextInput
          label="Invite by email"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fieldError(invite.error, 'email')}
          w={300}
        />
        <MultiSelect
          label="Roles"
          data={roleOptions}
          value={roles}
          onChange={(v) => setRoles(v as Role[])}
          error={fieldError(invite.error, 'roles')}
          w={340}
        />
        <Button
          type="submit"
          mt={25}
          loading={invite.isPending}
          disabled={!email.trim() || roles.length === 0}
        >
          Invite
        </Button>
      </Group>
      {invite.error && !fieldError(invite.error, 'email') && !fieldError(invite.error, 'roles') && (
        <ProblemAlert error={invite.error} />
      )}
      {invite.data && (
        <Text size="sm" c="green" mt={4} data-testid="invited">
          Invited {invite.data.email}: they join once they accept it, before{' '}
          {new Date(invite.data.expiresAt).toLocaleDateString()}.
        </Text>
      )}
    </form>
  );
}

function PendingInvitations() {
  const invitations = useAccountInvitations(true);
  const cancel = useCancelMemberInvitation();
  if (invitations.isPending) return <Loading what="invitations" />;
  if (invitations.error) return <ProblemAlert error={invitations.error} />;
  if (invitations.items?.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No open invitations.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Table aria-label="Open invitations" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Roles</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invitations.items?.map((i) => (
            <Table.Tr key={i.id}>
              <Table.Td>{i.email}</Table.Td>
              <Table.Td>{i.roles.join(', ')}</Table.Td>
              <Table.Td>
                <Badge color={i.state === 'pending' ? 'blue' : 'gray'} variant="light">
                  {i.state}
                </Badge>
              </Table.Td>
              <Table.Td>{new Date(i.expiresAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  loading={cancel.isPending && cancel.variables === i.id}
                  onClick={() => cancel.mutate(i.id)}
                >
                  Cancel
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <LoadMore list={invitations} what="invitations" />
      {cancel.error && <ProblemAlert error={cancel.error} />}
    </Stack>
  );
}

/** The account's members and roles; admins invite by email, change roles and remove members. */
export function MembersPage() {
  const { can } = useSession();
  const admin = can('admin');
  const members = useMembers();
  return (
    <Stack>
      <Title order={2}>Members</Title>
      <MyInvitations />
      <Text size="sm" c="dimmed">
        People with roles in this account.{' '}
        {admin && 'Invite someone by email: they become a member when they accept the invitation.'}
      </Text>
      {admin && <InviteForm />}
      {members.error && <ProblemAlert error={members.error} />}
      {members.isPending ? (
        <Loading what="members" />
      ) : (
        <Table aria-label="Members" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Roles</Table.Th>
              {admin && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.items?.map((m) => (
              <MemberRow key={`${m.userId}:${m.roles.join(',')}`} member={m} admin={admin} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <LoadMore list={members} what="members" />
      {admin && (
        <Stack gap="xs" mt="lg">
          <Title order={3}>Open invitations</Title>
          <PendingInvitations />
        </Stack>
      )}
    </Stack>
  );
}
