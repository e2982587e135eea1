import { Title } from '@mantine/core';

export function Coverage() {
  return <Title order={2}>Coverage</Title>;
}
