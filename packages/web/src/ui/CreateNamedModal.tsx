import { Button, Modal, Stack, TextInput } from '@mantine/core';
import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldError } from '../api.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

export interface NamedInput {
  name: string;
  description: string;
}

/**
 * A modal that creates something from a name and a description (an MCI, a deployment, an account
 * group) through its area's mutation, showing the server's field errors next to the fields and
 * anything else above the button.
 */
export function CreateNamedModal<T>({
  opened,
  onClose,
  title,
  mutation,
  onCreated,
}: {
  opened: boolean;
  onClose(): void;
  title: string;
  mutation: UseMutationResult<T, Error, NamedInput>;
  onCreated?(created: T): void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const nameError = fieldError(mutation.error, 'name');
  const descriptionError = fieldError(mutation.error, 'description');
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate(
            { name, description },
            {
              onSuccess: (created) => {
                setName('');
                setDescription('');
                onClose();
                onCreated?.(created);
              },
            },
          );
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
