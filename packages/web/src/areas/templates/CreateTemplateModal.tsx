import { Button, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { MciMultiPicker } from '../mcis/MciPicker.tsx';
import { useCreateTemplate } from './queries.ts';

/** A new ServerTemplate from a name, a description and its MCIs, the first of them the default. */
export function CreateTemplateModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [mciIds, setMciIds] = useState<string[]>([]);
  const create = useCreateTemplate();
  const shownError = fieldError(create.error, 'name') ?? fieldError(create.error, 'mciIds');
  return (
    <Modal opened={opened} onClose={onClose} title="New ServerTemplate">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name, description, mciIds },
            {
              onSuccess: (t) => {
                setName('');
                setDescription('');
                setMciIds([]);
                onClose();
                navigate(`/templates/${t.id}`);
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
            error={fieldError(create.error, 'name')}
            data-autofocus
          />
          <TextInput
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(create.error, 'description')}
          />
          <MciMultiPicker
            enabled={opened}
            label="MultiCloud Images"
            description="The first one you pick is the default."
            value={mciIds}
            onChange={setMciIds}
            error={fieldError(create.error, 'mciIds')}
            nothingFoundMessage="No MCI matches"
          />
          {create.error && !shownError && <ProblemAlert error={create.error} />}
          <Button type="submit" loading={create.isPending}>
            Create
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
