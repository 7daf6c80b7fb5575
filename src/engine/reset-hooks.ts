// Filled in by the container engine: stop and forget every container before a reset.
export async function resetContainers(): Promise<void> {
  const { pausePidForReset } = await import('./reset-pause.js');
  pausePidForReset();
}
