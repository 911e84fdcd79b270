// The words of the command line: components and actions, and the order components start in.

export const COMPONENTS = ['snabbnfv', 'vm', 'lwaftr', 'all'] as const;
export const ACTIONS = ['start', 'stop', 'restart'] as const;
export type Component = (typeof COMPONENTS)[number];
export type Action = (typeof ACTIONS)[number];
export type SingleComponent = Exclude<Component, 'all'>;

/** Start order; stop runs it backwards. */
export const START_ORDER: SingleComponent[] = ['snabbnfv', 'vm', 'lwaftr'];
