-- Audit events are append-only: the application never updates or deletes them. Someone with
-- superuser rights can still bypass this trigger; the hash chain is what detects that.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();--> statement-breakpoint
-- The platform's own chain, for events that belong to no district (platform administration).
INSERT INTO districts (id, kind, name) VALUES ('00000000-0000-0000-0000-000000000000', 'platform', '平台');
