// Lookups by a name that comes from the config: "constructor" or "valueOf" must not find Object's own.

export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
