import { Button, Modal, Stack, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';

/**
 * Commits a HEAD with a message (R-VC: the next consecutive revision). `children` adds a kind's own
 * options (a template's "also commit HEAD MCIs"); `onCommit` runs the kind's commit mutation.
 */
export function CommitDialog({
  name,
  opened,
  onClose,
  onCommit,
  pending,
  error,
  children,
}: {
  name: string;
  opened: boolean;
  onClose(): void;
  onCommit(message: string, done: () => void): void;
  pending: boolean;
  error: unknown;
  children?: ReactNode;
}) {
  const [message, setMessage] = useState('');
  return (
    <Modal opened={opened} onClose={onClose} title={`Commit ${name}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onCommit(message, () => {
            setMessage('');
            onClose();
          });
        }}
      >
        <Stack>
          <TextInput
            label="Message"
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            error={fieldError(error, 'message')}
            data-autofocus
          />
          {children}
          {Boolean(error) && !fieldError(error, 'message') && <ProblemAlert error={error} />}
          <Button type="submit" loading={pending}>
            Commit
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
