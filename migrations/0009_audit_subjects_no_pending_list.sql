-- No GIN pending list on the audit subjects index (see src/domains/audit/schema.ts). ALTER rather than
-- rebuild: a large audit trail keeps its index; entries already pending are merged by the next vacuum.
ALTER INDEX "audit_events_subjects_idx" SET (fastupdate = off);
