/**
 * The purposes for which L4 data may be seen (用途, DESIGN.md "Access"): a fixed list, each valid
 * for a limited time from when it becomes active. Codes are English identifiers; the names are
 * what users choose from and what the guardian's access log shows.
 */
export const purposeCodes = [
  'homeSchoolContact',
  'healthFollowUp',
  'financialAidReview',
  'mentalHealthIntervention',
  'supervisionCheck',
] as const;
export type PurposeCode = (typeof purposeCodes)[number];

export const purposes: Record<PurposeCode, { 'zh-CN': string; en: string; maxHours: number }> = {
  homeSchoolContact: { 'zh-CN': '家校联系', en: 'Home–school contact', maxHours: 8 },
  healthFollowUp: { 'zh-CN': '健康随访', en: 'Health follow-up', maxHours: 24 },
  financialAidReview: { 'zh-CN': '资助审核', en: 'Financial aid review', maxHours: 72 },
  mentalHealthIntervention: { 'zh-CN': '心理干预', en: 'Mental-health intervention', maxHours: 24 },
  supervisionCheck: { 'zh-CN': '督导核查', en: 'Supervision check', maxHours: 72 },
};

const isPurposeCode = (code: string): code is PurposeCode =>
  (purposeCodes as readonly string[]).includes(code);

/** A stored purpose code by its name in `lang` (a code no longer on the list stays as it is). */
export const purposeName = (code: string, lang: 'zh-CN' | 'en'): string =>
  isPurposeCode(code) ? purposes[code][lang] : code;
