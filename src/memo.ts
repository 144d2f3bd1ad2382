/**
 * `compute(owner, key)` remembered per owner object (for as long as the owner lives) and key: for
 * values derived from objects that are built once and never mutated (a principal, a key set).
 */
export function memoPerOwner<O extends object, K, V>(
  compute: (owner: O, key: K) => V,
): (owner: O, key: K) => V {
  const byOwner = new WeakMap<O, Map<K, V>>();
  return (owner, key) => {
    let byKey = byOwner.get(owner);
    if (!byKey) {
      byKey = new Map();
      byOwner.set(owner, byKey);
    }
    if (!byKey.has(key)) byKey.set(key, compute(owner, key));
    return byKey.get(key) as V;
  };
}
