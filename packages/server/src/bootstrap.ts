import { generatePassword } from './auth/secrets';
import type { AuthStore } from './stores/auth-store';

export interface BootstrapResult {
  created: boolean;
  email: string;
  /** The tenant and owner made on this start (absent when a tenant existed already). */
  owner?: { tenantId: string; userId: string };
  /** Set only when Hotline generated the password: shown once, never stored in clear. */
  generatedPassword?: string;
}

/** On first start (no tenant yet), creates the first tenant and its owner. */
export async function bootstrapFirstTenant(
  auth: AuthStore,
  admin: { email: string; password: string | undefined; tenantName: string },
): Promise<BootstrapResult> {
  if ((await auth.tenantCount()) > 0) return { created: false, email: admin.email };
  const password = admin.password ?? generatePassword();
  const owner = await auth.createTenantWithOwner({
    tenantName: admin.tenantName,
    slug: slugify(admin.tenantName),
    email: admin.email,
    password,
    displayName: 'Administrator',
  });
  return {
    created: true,
    email: admin.email,
    owner,
    ...(admin.password ? {} : { generatedPassword: password }),
  };
}

function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || 'default';
}
