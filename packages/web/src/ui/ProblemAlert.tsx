import { Alert, List } from '@mantine/core';
import { ApiProblem } from '../api.ts';

/** Shows a failed call: the server's one-line detail and its field errors. */
export function ProblemAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error.problem : undefined;
  return (
    <Alert color="red" title={problem?.title ?? 'Something went wrong'} role="alert" data-testid="problem">
      {problem?.detail ?? (error as Error).message}
      {problem?.errors && problem.errors.length > 0 && (
        <List size="sm" mt="xs">
          {problem.errors.map((e) => (
            <List.Item key={`${e.path}${e.message}`}>
              {e.path}: {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
