/** Request fields the org routes share. */
import { z } from 'zod';

export const tags = ['org'];
export const idParams = z.object({ id: z.guid() });
export const name = z.string().trim().min(1).max(100);
export const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
/** Code fields: the service names the rule a bad code breaks. */
export const code = (max: number) => z.string().trim().min(1).max(max);
export { isoDate } from '../../http/dates';
export const version = z.number().int().min(1);
