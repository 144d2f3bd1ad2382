CREATE INDEX "enrolments_id_idx" ON "enrolments" USING btree ("id");--> statement-breakpoint
CREATE INDEX "persons_id_idx" ON "persons" USING btree ("id");