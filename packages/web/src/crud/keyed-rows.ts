/** A row of an editable list with a stable React key, so inputs keep focus when other rows are removed. */
export type Keyed<T> = T & { key: string };

let lastKey = 0;
export function newKey(): string {
  lastKey += 1;
  return `row-${lastKey}`;
}

export function withKeys<T extends object>(items: readonly T[]): Keyed<T>[] {
  return items.map((item) => ({ ...item, key: newKey() }));
}

export function withoutKey<T extends object>({ key: _key, ...rest }: Keyed<T>): T {
  return rest as unknown as T;
}
