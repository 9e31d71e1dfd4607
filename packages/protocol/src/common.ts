import { z } from 'zod';

export const idSchema = z.uuid();
export const idParams = z.object({ id: idSchema });

export const roles = ['owner', 'admin', 'supervisor', 'agent'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const locales = ['en', 'ru'] as const;
export const localeSchema = z.enum(locales);
export type Locale = z.infer<typeof localeSchema>;

export const channels = ['voice', 'chat', 'email', 'sms', 'messenger', 'task'] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

/** A human-facing name: trimmed, non-empty, bounded. */
export const nameSchema = z.string().trim().min(1).max(120);
export const descriptionSchema = z.string().trim().max(2000);

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type PaginationQuery = z.infer<typeof paginationQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const timestampSchema = z.iso.datetime();

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
