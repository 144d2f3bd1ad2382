/** Every table, for drizzle-kit and for typed queries. Domains own their files. */
export * from '../domains/accounts/schema';
export * from '../domains/api-clients/schema';
export * from '../domains/audit/schema';
export * from '../domains/org/schema';
export * from '../domains/people/schema';
export * from '../domains/purposes/schema';
