import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Load with the API: the data, the error (an ApiError carries the API's title and status), and a
 * reload. Only the latest load may set the state: an older answer arriving late is dropped.
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);
  const run = useCallback(async () => {
    generation.current += 1;
    const mine = generation.current;
    setError(null);
    setData(null);
    try {
      const result = await latest.current();
      if (mine === generation.current) setData(result);
    } catch (e) {
      if (mine === generation.current) setError(e instanceof Error ? e : new Error(String(e)));
    }
  }, []);
  const key = JSON.stringify(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load again when the caller's inputs (key) change
  useEffect(() => {
    void run();
  }, [run, key]);
  return { data, error, reload: run };
}
