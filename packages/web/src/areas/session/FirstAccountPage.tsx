import { Button, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useCreateFirstAccount } from './queries.ts';
import { useSession } from './session.tsx';

/** For a superuser who belongs to no account yet: create one and join it with every role. */
export function FirstAccountPage() {
  const { me } = useSession();
  const [name, setName] = useState('');
  const create = useCreateFirstAccount(me.user.id);
  return (
    <Paper withBorder p="xl" maw={480}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name);
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
