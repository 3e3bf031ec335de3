/** Runs `act` on every item, at most `limit` at a time (API calls, processes: bounded, never one per item at once). */
export async function eachLimited<T>(items: readonly T[], limit: number, act: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await act(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}
