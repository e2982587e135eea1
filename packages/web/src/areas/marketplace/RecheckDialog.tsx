import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { PreflightMatrix } from './PreflightMatrix.tsx';
import { useRecheck, type Publication } from './queries.ts';

/** "Re-check launchability": the preflight of a publication for the accounts receiving it now. */
export function RecheckDialog({
  publication,
  onClose,
}: {
  publication: Publication | null;
  onClose(): void;
}) {
  const recheck = useRecheck(publication?.id ?? null);
  return (
    <Modal
      opened={publication !== null}
      onClose={onClose}
      size="xl"
      title={publication ? `Launchability of ${publication.name} r${publication.revision}` : ''}
    >
      {publication && (
        <Stack data-testid="recheck">
          {recheck.error && <ProblemAlert error={recheck.error} />}
          {recheck.isPending ? (
            <Loading what="the launchability check" />
          ) : (
            recheck.data && (
              <>
                <Text size="sm" c="dimmed">
                  Checked {new Date(recheck.data.checkedAt).toLocaleString()} for the accounts that receive it
                  now.
                </Text>
                <PreflightMatrix preflight={recheck.data} />
              </>
            )
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => void recheck.refetch()} loading={recheck.isFetching}>
              Check again
            </Button>
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
