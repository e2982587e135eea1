import { Title } from '@mantine/core';

export function Deployments() {
  return <Title order={2}>Deployments</Title>;
}

export function DeploymentDetail() {
  return <Title order={2}>DeploymentDetail</Title>;
}

export function ServerDetail() {
  return <Title order={2}>ServerDetail</Title>;
}
