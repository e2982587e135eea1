import { Button, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldError, unwrap } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { useSession } from '../session.tsx';

const ALL_ROLES = ['observer', 'actor', 'designer', 'library', 'publisher', 'admin'] as const;

/** For a superuser who belongs to no account yet: create one and join it with every role. */
export function FirstAccount() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      const account = unwrap(await api.POST('/v1/accounts', { body: { name, description: '' } }));
      unwrap(
        await api.PUT('/v1/accounts/{a}/members/{userId}', {
          params: { path: { a: account.id, userId: me.user.id } },
          body: { roles: [...ALL_ROLES] },
        }),
      );
      return account;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
  return (
    <Paper withBorder p="xl" maw={480}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Title order={3}>Create your first account</Title>
          <Text c="dimmed" size="sm">
            MCIs, templates and servers belong to an account. You will hold every role in it.
          </Text>
          <TextInput
            label="Account name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(create.error, 'name')}
          />
          {create.error && !fieldError(create.error, 'name') && <ProblemAlert error={create.error} />}
          <Button type="submit" loading={create.isPending}>
            Create account
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
