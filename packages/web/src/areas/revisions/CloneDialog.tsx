import { Button, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import type { Revision } from './revision.ts';

/** Clones a revision into a new lineage of this account under a new name (R-MCI-6). */
export function CloneDialog({
  revision,
  opened,
  onClose,
  onClone,
  pending,
  error,
}: {
  revision: Pick<Revision, 'name' | 'revision'>;
  opened: boolean;
  onClose(): void;
  onClone(name: string): void;
  pending: boolean;
  error: unknown;
}) {
  const [name, setName] = useState(`${revision.name} (clone)`);
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Clone ${revision.name} ${revisionLabel(revision.revision)}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onClone(name);
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
          />
          {Boolean(error) && !fieldError(error, 'name') && <ProblemAlert error={error} />}
          <Button type="submit" loading={pending}>
            Clone
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
