import { Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useSignIn } from './queries.ts';

/** Password sign-in, with the autocomplete hints password managers look for. */
export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={380}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            signIn.mutate({ email, password });
          }}
        >
          <Stack>
            <Title order={2}>MultiCloud Images</Title>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldError(signIn.error, 'email')}
              required
              autoFocus
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldError(signIn.error, 'password')}
              required
            />
            {signIn.error && !fieldError(signIn.error, 'email') && <ProblemAlert error={signIn.error} />}
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
