import type { Application } from '../domain/application';
import type { InstitutionAddress } from '../domain/institutions';

type Addressed = Pick<Application, 'id' | 'institution' | 'pi'>;
export type Addressing<A extends Addressed> = { ok: true; application: A } | { ok: false; problem: string };

/**
 * Where an application's notices go is not the applicant's to say: the institution's research
 * office is told at the address the office's registry keeps for it (when the call has one: calls
 * opened before it took what the application named), and the PI at the address the identity
 * provider verified (the door stamps it; the ownership rule keeps it through updates).
 */
export function withRegisteredInstitution<A extends Addressed>(application: A, registry: readonly InstitutionAddress[] | undefined): Addressing<A> {
  if (!registry) return { ok: true, application };
  const entry = registry.find((i) => i.id === application.institution.id);
  if (!entry)
    return {
      ok: false,
      problem: `call.registerApplication was refused: institution ${application.institution.id} is not in this call's registry of institutions, which says where each research office is told; ask the programme office to add it.`,
    };
  return { ok: true, application: { ...application, institution: { ...application.institution, researchOfficeEmail: entry.noticeEmail } } };
}

/** The PI's notices go to the address the identity provider verified for the account that registers. */
export function withVerifiedPiEmail<A extends Addressed>(application: A, verifiedEmail: string | null): Addressing<A> {
  if (!verifiedEmail)
    return {
      ok: false,
      problem:
        'call.registerApplication was refused: your account has no verified e-mail address, and the programme sends your notices there; verify it with the identity provider (or ask the programme office), then register again.',
    };
  return { ok: true, application: { ...application, pi: { ...application.pi, email: verifiedEmail } } };
}
