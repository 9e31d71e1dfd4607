/**
 * The media an interaction travels on. The router treats them alike except for capacity (an agent
 * holds N of each at once) and exclusivity (a call blocks other work by default). The protocol
 * package keeps the same list for request validation; a server test checks they agree.
 */
export const channels = ['voice', 'chat', 'email', 'sms', 'messenger', 'task'] as const;
export type Channel = (typeof channels)[number];

/** How many interactions of each channel an agent may hold at once (offered, connected or in wrap-up). */
export type Capacity = Readonly<Record<Channel, number>>;
