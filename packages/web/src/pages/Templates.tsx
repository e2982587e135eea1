import { Title } from '@mantine/core';

export function Templates() {
  return <Title order={2}>Templates</Title>;
}

export function TemplateDetail() {
  return <Title order={2}>TemplateDetail</Title>;
}
