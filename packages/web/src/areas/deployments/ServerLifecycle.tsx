import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useServerLifecycle, type Server } from './queries.ts';

/**
 * Launch and Terminate (R-LCH-1/2), offered only when the server's `actions` allow them; a
 * terminate asks first. A refusal (the cloud's, or R-SRV-6 for an image gone from the cloud)
 * shows below the buttons.
 */
export function LifecycleButtons({ server, size = 'sm' }: { server: Server; size?: 'xs' | 'sm' }) {
  const launch = useServerLifecycle(server, 'launch');
  const terminate = useServerLifecycle(server, 'terminate');
  const [confirming, setConfirming] = useState(false);
  const canLaunch = server.actions.includes('launch');
  const canTerminate = server.actions.includes('terminate');
  const error = launch.error ?? terminate.error;
  if (!canLaunch && !canTerminate && !error) return null;
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        {canLaunch && (
          <Button
            size={size}
            color="green"
            loading={launch.isPending}
            onClick={() => {
              terminate.reset();
              launch.mutate();
            }}
            aria-label={`Launch ${server.name}`}
          >
            Launch
          </Button>
        )}
        {canTerminate && (
          <Button
            size={size}
            color="red"
            variant="light"
            loading={terminate.isPending}
            onClick={() => setConfirming(true)}
            aria-label={`Terminate ${server.name}`}
          >
            Terminate
          </Button>
        )}
      </Group>
      {error && <ProblemAlert error={error} />}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Terminate ${server.name}?`}>
        <Stack>
          <Text size="sm">
            The instance{' '}
            {server.providerInstanceId ? <Code>{server.providerInstanceId}</Code> : 'of this server'} is
            terminated in its cloud. The server is kept (inactive) and can be launched again.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConfirming(false);
                launch.reset();
                terminate.mutate();
              }}
            >
              Terminate
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
