// What lwaftrctl knows of one config key.

export interface KeySpec {
  /** The name lwaftrctl prefers (the newest era's name where one existed). */
  name: string;
  /** Older names meaning the same thing. */
  aliases?: string[];
  /**
   * The default, as written in the example file ('' = unset). `$KEY` in it expands like a value
   * in the file; lwaftrctl reads defaults from here and nowhere else.
   */
  default: string;
  /** The default is worked out from other keys; `default` only describes how. */
  computed?: boolean;
  doc: string;
  section: string;
  /** Host path: `~` expands to the operator's home, relative paths are taken from the config file's folder. */
  hostPath?: boolean;
  /** Guest-side value: a leading `~` stays, meaning the guest user's home. */
  guest?: boolean;
}
