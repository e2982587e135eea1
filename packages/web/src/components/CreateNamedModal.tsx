import { Button, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldError } from '../api.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

/**
 * A modal that creates something from a name and a description (an MCI, a deployment, an account
 * group), showing the server's field errors next to the fields and anything else above the button.
 */
export function CreateNamedModal<T>({
  opened,
  onClose,
  title,
  create,
  onCreated,
}: {
  opened: boolean;
  onClose(): void;
  title: string;
  create(input: { name: string; description: string }): Promise<T>;
  onCreated(created: T): void | Promise<void>;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const mutation = useMutation({
    mutationFn: () => create({ name, description }),
    onSuccess: async (created) => {
      setName('');
      setDescription('');
      onClose();
      await onCreated(created);
    },
  });
  const nameError = fieldError(mutation.error, 'name');
  const descriptionError = fieldError(mutation.error, 'description');
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={nameError}
            data-autofocus
          />
          <TextInput
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={descriptionError}
          />
          {mutation.error && !nameError && !descriptionError && <ProblemAlert error={mutation.error} />}
          <Button type="submit" loading={mutation.isPending}>
            Create
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
