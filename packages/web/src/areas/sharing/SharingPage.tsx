import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { CreateNamedModal } from '../../ui/CreateNamedModal.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSession } from '../session/session.tsx';
import { GroupCard } from './GroupCard.tsx';
import { useCreateGroup, useGroups } from './queries.ts';
import { ReceivedInvitations } from './ReceivedInvitations.tsx';

/** Account groups (R-GRP-1): owned and joined groups, invitations sent and received. */
export function SharingPage() {
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const groups = useGroups();
  const create = useCreateGroup();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sharing</Title>
        {can('publisher') && <Button onClick={() => setCreating(true)}>New group</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Account groups this account owns or belongs to. Publications shared with a group can be imported by
        its member accounts.
      </Text>
      {groups.error && <ProblemAlert error={groups.error} />}
      {groups.isPending ? (
        <Loading what="account groups" />
      ) : groups.data?.length === 0 ? (
        <Empty>This account neither owns nor belongs to an account group.</Empty>
      ) : (
        <Stack>
          {groups.data?.map((g) => (
            <GroupCard key={g.id} group={g} />
          ))}
        </Stack>
      )}
      <ReceivedInvitations />
      <CreateNamedModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New account group"
        mutation={create}
      />
    </Stack>
  );
}
