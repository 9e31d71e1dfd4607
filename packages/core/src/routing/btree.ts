import BTreeModule from 'sorted-btree';

/**
 * The B+tree behind the routing indexes. `sorted-btree` is CommonJS: bundlers and vitest hand us the
 * class as the default export, Node's own ESM loader hands us `module.exports` with the class under
 * `.default`. Import it from here, never from the package.
 */
export const BTree: typeof BTreeModule =
  (BTreeModule as unknown as { default?: typeof BTreeModule }).default ?? BTreeModule;
export type BTree<K, V> = BTreeModule<K, V>;
