// cluster-key-slot ships no types: the one function the bench uses, as its lib/index.js defines it.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0–16383) of a key, honouring `{hash tags}` as Redis does. */
  export default function generate(key: string | Buffer): number;
}
