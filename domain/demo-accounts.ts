/** Every seeded account's password. The embedded realm is for trying the service, never for production. */
export const DEMO_PASSWORD = 'alliance-demo';

/** The banner's list of the embedded realm's named accounts (the demo cohort's accounts are in identity/alliance-realm.json). */
export function demoAccountLines(): string[] {
  return [
    `Demo accounts (password ${DEMO_PASSWORD}; embedded realm only, never production):`,
    '  office       kao          (office-kao)',
    '  auditor      wu           (auditor-wu)',
    '  PI           pi-lin       (NTU), pi-chen (NCKU), and pi-te1-001 … one per demo application',
    '  institution  ntu-rd       (NTU), ncku-rd (NCKU), and <institution>-rd for each demo institution',
    '  reviewer     rev-te2-01   … rev-<division>-01 to -07 for every division',
  ];
}
