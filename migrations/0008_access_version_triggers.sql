-- Every change to what a principal is made of moves access_version on (src/domains/accounts/schema.ts),
-- so a principal cached with the version it was loaded with is never used after such a change commits.
-- The bump is a deferred constraint trigger: it runs at commit, once per transaction, so the counter row
-- is locked only for the last instant of a writing transaction (no lock-order deadlocks, no long waits).
INSERT INTO "access_version" ("id", "version") VALUES (true, 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE FUNCTION "mingde_bump_access_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('mingde.access_version_bumped', true) = txid_current()::text THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('mingde.access_version_bumped', txid_current()::text, true);
  UPDATE "access_version" SET "version" = "version" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "users_access_version" AFTER INSERT OR UPDATE OR DELETE ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "users_access_version_truncate" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "grants_access_version" AFTER INSERT OR UPDATE OR DELETE ON "grants" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "grants_access_version_truncate" AFTER TRUNCATE ON "grants" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "city_grants_access_version" AFTER INSERT OR UPDATE OR DELETE ON "city_grants" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "city_grants_access_version_truncate" AFTER TRUNCATE ON "city_grants" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "districts_access_version" AFTER INSERT OR UPDATE OR DELETE ON "districts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "districts_access_version_truncate" AFTER TRUNCATE ON "districts" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "org_units_access_version" AFTER INSERT OR UPDATE OR DELETE ON "org_units" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_access_version_truncate" AFTER TRUNCATE ON "org_units" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "person_accounts_access_version" AFTER INSERT OR UPDATE OR DELETE ON "person_accounts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "person_accounts_access_version_truncate" AFTER TRUNCATE ON "person_accounts" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "head_teacher_assignments_access_version" AFTER INSERT OR UPDATE OR DELETE ON "head_teacher_assignments" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "head_teacher_assignments_access_version_truncate" AFTER TRUNCATE ON "head_teacher_assignments" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "teaching_assignments_access_version" AFTER INSERT OR UPDATE OR DELETE ON "teaching_assignments" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "teaching_assignments_access_version_truncate" AFTER TRUNCATE ON "teaching_assignments" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "terms_access_version" AFTER INSERT OR UPDATE OR DELETE ON "terms" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "terms_access_version_truncate" AFTER TRUNCATE ON "terms" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "guardian_relations_access_version" AFTER INSERT OR UPDATE OR DELETE ON "guardian_relations" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "guardian_relations_access_version_truncate" AFTER TRUNCATE ON "guardian_relations" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "enrolments_access_version" AFTER INSERT OR UPDATE OR DELETE ON "enrolments" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "enrolments_access_version_truncate" AFTER TRUNCATE ON "enrolments" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "staff_posts_access_version" AFTER INSERT OR UPDATE OR DELETE ON "staff_posts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "mingde_bump_access_version"();
--> statement-breakpoint
CREATE TRIGGER "staff_posts_access_version_truncate" AFTER TRUNCATE ON "staff_posts" FOR EACH STATEMENT EXECUTE FUNCTION "mingde_bump_access_version"();
