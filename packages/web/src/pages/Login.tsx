import { Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldError, unwrap } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';

/** Password sign-in; the server sets an HttpOnly session cookie. */
export function Login() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/session', { body: { email, password } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={380}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            signIn.mutate();
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
